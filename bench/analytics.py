"""8. Leaders' analytics at 1M dossiers (PostgreSQL): the dashboard, the citizen-service index and
a heat map, each a few SQL statements over `dossier`, `task` and `event`.

STAND-INS: the dashboard's statements below are shaped like what the dashboard (engine/analytics,
`stats` branch) needs, written here until they call the real ones. The heat map is the real one
(`engine.analytics.heatmap.heatmap`, its whole answer: figures per step, queues, diagram).

Data: datagen's "analytics" mix in its own database (a year of dossiers, most settled, two
versions of each procedure; see bench/README.md). Each query runs for random units, months and
versions; the first rounds warm up and are not counted. Timed twice: on the schema as the
migrations build it, then with the indexes PROPOSED below (created for the run, dropped after:
the stats branch owns the migration). **p95 < 300 ms** each, judged on the proposed indexes.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from datetime import timedelta
from typing import Any

import datagen
import harness
import psycopg
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.actors import Grant
from engine.analytics.heatmap import heatmap

TARGET_MS = 300.0
ROUNDS = 40
WARMUP = 5
OPEN = ("new", "received", "processing", "supplement_requested", "financial_obligation")
PROPOSED_INDEXES = {
    "ix_dossier_unit_received": "CREATE INDEX ix_dossier_unit_received ON dossier"
    " (competent_unit_id, received_at)",
    "ix_dossier_unit_finished": "CREATE INDEX ix_dossier_unit_finished ON dossier"
    " (competent_unit_id, finished_at)",
    "ix_dossier_received": "CREATE INDEX ix_dossier_received ON dossier (received_at)",
    "ix_dossier_finished": "CREATE INDEX ix_dossier_finished ON dossier (finished_at)",
}
"""What the figures need beyond the shipped indexes: a unit's (or the province's) dossiers
received, settled or still open in a period (dashboard, index; a NULL finished_at is in the
btree, so the open ones come from the same index). The heat map needs none beyond its migrations
(0016 and 0019_task_times)."""

BUILD_DAILY = """
CREATE TABLE bench_dossier_daily AS
SELECT procedure_id, (received_at + interval '7 hours')::date AS day, 'received' AS part,
       channel, reception_point_kind AS point, NULL::text AS timeliness, NULL::int AS bucket,
       count(*)::int AS n
FROM dossier GROUP BY 1, 2, 4, 5
UNION ALL
SELECT procedure_id, (finished_at + interval '7 hours')::date, status, NULL, NULL,
       CASE WHEN finished_at > coalesce(original_due_at, due_at) THEN 'late'
            WHEN (finished_at + interval '7 hours')::date
                 < (coalesce(original_due_at, due_at) + interval '7 hours')::date
            THEN 'early' ELSE 'on_time' END,
       floor(ln(greatest(extract(epoch FROM finished_at - received_at) / 3600, 0.01))
             / ln(1.1))::int,
       count(*)::int
FROM dossier WHERE finished_at IS NOT NULL GROUP BY 1, 2, 3, 6, 7
"""
"""PROPOSED for the province's dashboard at 1M: a daily rollup for the province (the data set
has one) per (procedure, local day): received by channel and point; ended by status,
timeliness and a 10 %-wide bucket of processing hours (for the median). Kept in step by the
write path (one upsert on receipt, one on the ending) or refreshed per day. A unit's own month
needs none: its dossiers come straight from the proposed (unit, time) indexes. What is open
right now is read live from the status index. (Per unit and day a rollup compresses nothing: a
commune receives a dozen dossiers a day.)"""

PROVINCE_ROLLUP = """
WITH m AS (
  SELECT part, channel, point, timeliness, bucket, sum(n) AS n FROM bench_dossier_daily
  WHERE day >= %(from)s::date AND day < %(to)s::date GROUP BY 1, 2, 3, 4, 5
), settled AS (
  SELECT bucket, sum(n) AS n FROM m WHERE part IN ('result_returned', 'processed') GROUP BY 1
), ranked AS (
  SELECT bucket, sum(n) OVER (ORDER BY bucket) AS cum, sum(n) OVER () AS total FROM settled
), live AS (
  SELECT count(*) AS in_progress,
         count(*) FILTER (WHERE coalesce(original_due_at, due_at) < %(now)s) AS overdue,
         count(*) FILTER (WHERE status IN ('supplement_requested', 'financial_obligation'))
           AS paused
  FROM dossier WHERE status = ANY(%(open)s)
)
SELECT
  (SELECT sum(n) FROM m WHERE part = 'received') AS received,
  (SELECT sum(n) FROM m WHERE part = 'received' AND channel = 'online') AS online,
  (SELECT sum(n) FROM m WHERE part = 'received' AND point = 'mobile') AS mobile,
  (SELECT sum(n) FROM m WHERE part IN ('result_returned', 'processed')) AS settled,
  (SELECT sum(n) FROM m WHERE part IN ('result_returned', 'processed')
     AND timeliness = 'late') AS late,
  (SELECT sum(n) FROM m WHERE part = 'refused') AS refused,
  (SELECT sum(n) FROM m WHERE part = 'withdrawn') AS withdrawn,
  (SELECT power(1.1, min(bucket) + 0.5) / 24 FROM ranked WHERE cum >= 0.5 * total)
    AS median_days,
  live.*
FROM live
"""
"""The province's month from the daily rollup plus the live open dossiers."""

DASHBOARD = """
SELECT
  count(*) FILTER (WHERE received_at >= %(from)s AND received_at < %(to)s) AS received,
  count(*) FILTER (WHERE received_at >= %(from)s AND received_at < %(to)s
                   AND channel = 'online') AS online,
  count(*) FILTER (WHERE received_at >= %(from)s AND received_at < %(to)s
                   AND channel = 'postal') AS postal,
  count(*) FILTER (WHERE received_at >= %(from)s AND received_at < %(to)s
                   AND reception_point_kind = 'mobile') AS mobile,
  count(*) FILTER (WHERE settled) AS settled,
  count(*) FILTER (WHERE settled AND finished_at > due) AS late,
  count(*) FILTER (WHERE settled AND finished_at <= due
                   AND (finished_at + interval '7 hours')::date < (due + interval '7 hours')::date)
    AS early,
  count(*) FILTER (WHERE status = ANY(%(open)s)) AS in_progress,
  count(*) FILTER (WHERE status = ANY(%(open)s) AND due < %(now)s) AS overdue,
  count(*) FILTER (WHERE status IN ('supplement_requested', 'financial_obligation')) AS paused,
  count(*) FILTER (WHERE status = 'refused' AND finished_at >= %(from)s) AS refused,
  count(*) FILTER (WHERE status = 'withdrawn' AND finished_at >= %(from)s) AS withdrawn,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - received_at))
    FILTER (WHERE settled) / 86400 AS median_days
FROM (
  SELECT d.*, coalesce(d.original_due_at, d.due_at) AS due,
         d.status IN ('result_returned', 'processed') AND d.finished_at >= %(from)s
           AND d.finished_at < %(to)s AS settled
  FROM dossier d
  WHERE {unit_filter}
    (d.received_at >= %(from)s AND d.received_at < %(to)s
         OR d.finished_at >= %(from)s AND d.finished_at < %(to)s
         OR d.finished_at IS NULL)
) x
"""
DASHBOARD_UNIT = DASHBOARD.format(unit_filter="d.competent_unit_id = %(unit)s AND")
DASHBOARD_PROVINCE = DASHBOARD.format(unit_filter="")
"""Dashboard stand-in: a unit's month, or the province's (received by channel and point,
settled early / on time / late, in progress, overdue, paused, refused, withdrawn, median
processing days)."""

INDEX = """
SELECT procedure_id,
  count(*) FILTER (WHERE finished_at <= coalesce(original_due_at, due_at)) AS in_time,
  count(*) AS settled,
  avg(extract(epoch FROM finished_at - received_at)) / 86400 AS average_days,
  (SELECT count(*) FILTER (WHERE channel = 'online')::float / greatest(count(*), 1)
     FROM dossier r WHERE r.competent_unit_id = %(unit)s
      AND r.received_at >= %(from)s AND r.received_at < %(to)s) AS online_share
FROM dossier
WHERE competent_unit_id = %(unit)s AND finished_at >= %(from)s AND finished_at < %(to)s
  AND status IN ('result_returned', 'processed')
GROUP BY procedure_id
"""
"""Citizen-service index stand-in: per procedure, settled early or on time, average time;
the unit's online share (Decision 766's progress and online groups)."""

HEATMAP_SCOPES = ("province", "commune")
"""The real heat map (engine.analytics.heatmap.heatmap) of a random version over a quarter:
as a designer sees it (every unit: the province) and as a commune's leader sees it."""


def analytics_url(options: harness.Options) -> str:
    """$BENCH_ANALYTICS_DATABASE_URL, else database `bench_analytics` on the big data set's server
    (dropped and regenerated like it)."""
    if os.environ.get("BENCH_ANALYTICS_DATABASE_URL"):
        return os.environ["BENCH_ANALYTICS_DATABASE_URL"]
    url = make_url(options.big_database_url).set(database="bench_analytics")
    return url.render_as_string(hide_password=False)


class Figures:
    def __init__(self, conn: psycopg.Connection[Any], rng: random.Random, url: str) -> None:
        self.conn, self.rng = conn, rng
        self.units = [r[0] for r in conn.execute("SELECT id FROM unit WHERE kind <> 'province'")]
        self.versions = conn.execute(
            "SELECT p.code, v.number FROM procedure_version v"
            " JOIN procedure p ON p.id = v.procedure_id ORDER BY v.id"
        ).fetchall()
        self.engine = create_engine(url)
        self.now = datetime.now().replace(microsecond=0)  # noqa: DTZ005 - naive UTC columns

    def month(self) -> dict[str, Any]:
        back = self.rng.randrange(0, 11)
        first = (self.now.replace(day=1) - timedelta(days=30 * back)).replace(day=1, hour=0)
        nxt = (first + timedelta(days=32)).replace(day=1)
        return {"from": first, "to": nxt, "now": self.now, "open": list(OPEN)}

    def dashboard(self) -> Any:
        unit = self.rng.choice(self.units)
        return self.conn.execute(DASHBOARD_UNIT, {**self.month(), "unit": unit})

    def province(self) -> Any:
        return self.conn.execute(DASHBOARD_PROVINCE, self.month())

    def province_rollup(self) -> Any:
        return self.conn.execute(PROVINCE_ROLLUP, self.month())

    def index(self) -> Any:
        return self.conn.execute(INDEX, {**self.month(), "unit": self.rng.choice(self.units)})

    def quarter(self) -> dict[str, Any]:
        end = (self.now - timedelta(days=self.rng.randrange(0, 200))).date()
        code, number = self.rng.choice(self.versions)
        return {"code": code, "version": number, "start": end - timedelta(days=91), "end": end}

    def _heatmap(self, actor: Actor) -> Any:
        window = self.quarter()
        with Session(self.engine) as session:
            figures = heatmap(session, actor, window.pop("code"), **window)
        return [figures]

    def heatmap_province(self) -> Any:
        """A designer's heat map: every unit's dossiers of the version (the province)."""
        return self._heatmap(Actor(0, "bench", "bench", frozenset({Grant("designer", 0)})))

    def heatmap_commune(self) -> Any:
        """A commune leader's heat map: the commune's dossiers only."""
        unit = self.rng.choice(self.units)
        return self._heatmap(Actor(0, "bench", "bench", frozenset({Grant("leader", unit)})))


def _time(figures: Figures, names: list[str]) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(WARMUP + ROUNDS):
        for name in names:
            query: Callable[[], Any] = getattr(figures, name)
            started = time.perf_counter()
            answer = query()
            if hasattr(answer, "fetchall"):
                answer.fetchall()
            if round_ >= WARMUP:
                samples[name].append((time.perf_counter() - started) * 1000)
    return samples


def _explain(conn: psycopg.Connection[Any], figures: Figures, name: str) -> None:
    sql = {
        "dashboard": DASHBOARD_UNIT,
        "province": DASHBOARD_PROVINCE,
        "index": INDEX,
        "province_rollup": PROVINCE_ROLLUP,
    }[name]
    params = {**figures.month(), "unit": figures.units[0]}
    plan = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params).fetchall()
    harness.say(f"  EXPLAIN {name}:")
    for (line,) in plan[:25]:
        harness.say(f"    {line}")


def measure(options: harness.Options) -> list[harness.Result]:
    size = options.pick(100_000, 1_000_000)
    url = analytics_url(options)
    harness.section(f"8. analytics stand-ins: {size:,} dossiers of a year (postgresql)")
    dataset = datagen.ensure(url, dossiers=size, regenerate=options.regenerate, mix="analytics")
    how = "reused" if dataset.reused else f"generated in {dataset.seconds:.0f} s"
    harness.say(f"data set: {dataset.dossiers:,} dossiers ({how})")
    results = []
    with psycopg.connect(datagen.psycopg_dsn(url), autocommit=True) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM task), (SELECT count(*) FROM event)"
        ).fetchone()
        harness.say(f"  {counts[0]:,} tasks, {counts[1]:,} events" if counts else "")
        conn.execute("DROP TABLE IF EXISTS bench_dossier_daily")
        for name in PROPOSED_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
        try:
            results += _round(
                conn, size, "shipped indexes", ["dashboard", "province", "index"], url=url
            )
            with datagen._phase("proposed indexes built"):
                for definition in PROPOSED_INDEXES.values():
                    conn.execute(definition)
                conn.execute("ANALYZE dossier, task, event")
            with datagen._phase("daily dossier rollup built from the dossier rows"):
                conn.execute(BUILD_DAILY)
                conn.execute("CREATE INDEX ON bench_dossier_daily (day)")
                conn.execute("ANALYZE bench_dossier_daily")
            rows = conn.execute("SELECT count(*) FROM bench_dossier_daily").fetchone()
            harness.say(f"  bench_dossier_daily: {rows[0] if rows else 0:,} rows")
            names = [
                "dashboard",
                "province",
                "province_rollup",
                "index",
                *(f"heatmap_{scope}" for scope in HEATMAP_SCOPES),
            ]
            results += _round(conn, size, "proposed", names, url=url, judged=True)
        finally:
            conn.execute("DROP TABLE IF EXISTS bench_dossier_daily")
            for name in PROPOSED_INDEXES:
                conn.execute(f"DROP INDEX IF EXISTS {name}")
    return results


def _round(
    conn: psycopg.Connection[Any],
    size: int,
    label: str,
    names: list[str],
    *,
    url: str,
    judged: bool = False,
) -> list[harness.Result]:
    figures = Figures(conn, random.Random(17), url)
    samples = _time(figures, names)
    results = []
    for name in names:
        values = samples[name]
        p95 = harness.percentile(values, 0.95)
        harness.say(f"  {label:<16} {name:<15} {harness.summary_ms(values)}")
        raw = name == "province"  # shown beside the rollup that replaces it
        if p95 >= TARGET_MS and judged and not raw and not name.startswith("heatmap"):
            _explain(conn, figures, name)
        target = judged and not raw
        results.append(
            harness.Result(
                f"8 analytics, {name}{'' if name.startswith('heatmap') else ' stand-in'}"
                f" ({size // 1000}k, {label})",
                f"p95 {p95:.0f} ms (p50 {statistics.median(values):.0f})",
                f"p95 < {TARGET_MS:.0f} ms" if target else "-",
                p95 < TARGET_MS if target else None,
            )
        )
    return results


def run(options: harness.Options) -> list[harness.Result]:
    url = analytics_url(options)
    problem = harness.reachable(url)
    if problem is not None:
        return [harness.skipped("8 analytics", f"p95 < {TARGET_MS:.0f} ms", problem)]
    return measure(options)
