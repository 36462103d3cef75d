"""8. Leaders' analytics at 1M dossiers (PostgreSQL): the dashboard, the citizen-service index and
the heat map, each timed as one request's work through the engine's own functions
(engine.analytics: what the /analytics pages and /api/v1/stats run, through a SQLAlchemy session).

Data: datagen's "analytics" mix in its own database (a year of dossiers, most settled, two
versions of each procedure; see bench/README.md). Each call runs for random units, months and
versions; the first rounds warm up and are not counted. **p95 < 300 ms** each.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import datagen
import harness
import psycopg
from sqlalchemy.engine import make_url

TARGET_MS = 300.0
ROUNDS = 40
WARMUP = 5


def analytics_url(options: harness.Options) -> str:
    """$BENCH_ANALYTICS_DATABASE_URL, else database `bench_analytics` on the big data set's server
    (dropped and regenerated like it)."""
    if os.environ.get("BENCH_ANALYTICS_DATABASE_URL"):
        return os.environ["BENCH_ANALYTICS_DATABASE_URL"]
    url = make_url(options.big_database_url).set(database="bench_analytics")
    return url.render_as_string(hide_password=False)


class Figures:
    """Each timed call is one request's work: a fresh session, the engine's functions."""

    def __init__(self, conn: psycopg.Connection[Any], sessions: Any, rng: random.Random) -> None:
        from engine.access.actors import Actor
        from engine.access.actors import Grant

        self.conn, self.sessions, self.rng = conn, sessions, rng
        self.units = [
            (row[0], row[1])
            for row in conn.execute("SELECT id, code FROM unit WHERE kind <> 'province'")
        ]
        province = conn.execute("SELECT id FROM unit WHERE kind = 'province'").fetchone()
        self.versions = conn.execute(
            "SELECT p.code, v.number FROM procedure_version v"
            " JOIN procedure p ON p.id = v.procedure_id ORDER BY v.id"
        ).fetchall()
        self.now = datetime.now().replace(microsecond=0)  # noqa: DTZ005 - naive UTC columns

        def leader(unit_id: int) -> Actor:
            return Actor(0, "bench", "bench", frozenset({Grant("leader", unit_id)}))

        self.leader = leader
        self.province_leader = leader(province[0]) if province else None

    def period(self) -> tuple[date, date]:
        """A random month of the last eleven, as the dashboard's filter gives it."""
        back = self.rng.randrange(0, 11)
        first = (self.now.date().replace(day=1) - timedelta(days=30 * back)).replace(day=1)
        return first, (first + timedelta(days=32)).replace(day=1)

    def _page(self, actor: Any, scope: Any) -> None:
        """What the /analytics page computes (api/pages/analytics.py, the filter lists aside)."""
        from engine.analytics.dashboard import by_procedure
        from engine.analytics.dashboard import stats
        from engine.analytics.dashboard import take
        from engine.analytics.service_index import service_index
        from engine.analytics.trends import MONTH
        from engine.analytics.trends import WEEK
        from engine.analytics.trends import trend

        with self.sessions() as session:
            shot = take(session, actor, scope)
            stats(shot, formula="settled")
            by_procedure(session, shot, formula="settled")
            service_index(session, shot)
            trend(shot, by=WEEK)
            trend(shot, by=MONTH)

    def dashboard(self) -> None:
        """A commune leader's month."""
        from engine.analytics.scope import Scope

        unit_id, code = self.rng.choice(self.units)
        first, after = self.period()
        self._page(self.leader(unit_id), Scope(unit=code, date_from=first, date_to=after))

    def province(self) -> None:
        """The province leader's month: every commune."""
        from engine.analytics.scope import Scope

        first, after = self.period()
        self._page(self.province_leader, Scope(date_from=first, date_to=after))

    def province_year(self) -> None:
        """The province leader's dashboard with no period: all time (a year of data)."""
        from engine.analytics.scope import Scope

        self._page(self.province_leader, Scope())

    def index(self) -> None:
        """GET /api/v1/stats/index for a commune's month."""
        from engine.analytics.dashboard import take
        from engine.analytics.scope import Scope
        from engine.analytics.service_index import service_index

        unit_id, code = self.rng.choice(self.units)
        first, after = self.period()
        with self.sessions() as session:
            scope = Scope(unit=code, date_from=first, date_to=after)
            service_index(session, take(session, self.leader(unit_id), scope))

    def quarter(self) -> dict[str, Any]:
        end = (self.now - timedelta(days=self.rng.randrange(0, 200))).date()
        code, number = self.rng.choice(self.versions)
        return {"code": code, "version": number, "start": end - timedelta(days=91), "end": end}

    def _heatmap(self, actor: Any) -> None:
        from engine.analytics.heatmap import heatmap

        window = self.quarter()
        with self.sessions() as session:
            heatmap(session, actor, window.pop("code"), **window)

    def heatmap_province(self) -> None:
        """A designer's heat map: every unit's dossiers of the version (the province)."""
        from engine.access.actors import Actor
        from engine.access.actors import Grant

        self._heatmap(Actor(0, "bench", "bench", frozenset({Grant("designer", 0)})))

    def heatmap_commune(self) -> None:
        """A commune leader's heat map: the commune's dossiers only."""
        unit_id, _ = self.rng.choice(self.units)
        self._heatmap(self.leader(unit_id))


SLOW_ROUNDS = 8
"""The province's figures and heat map read from the rows take seconds at 1M: timed fewer times."""
SLOW = ("heatmap_province", "province", "province_year")


def _time(figures: Figures, names: list[str]) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(WARMUP + ROUNDS):
        for name in names:
            if name in SLOW and round_ >= 1 + SLOW_ROUNDS:
                continue
            query: Callable[[], Any] = getattr(figures, name)
            started = time.perf_counter()
            query()
            if round_ >= (1 if name in SLOW else WARMUP):
                samples[name].append((time.perf_counter() - started) * 1000)
    return samples


def measure(options: harness.Options) -> list[harness.Result]:
    size = options.pick(100_000, 1_000_000)
    url = analytics_url(options)
    harness.section(f"8. analytics: {size:,} dossiers of a year (postgresql)")
    dataset = datagen.ensure(url, dossiers=size, regenerate=options.regenerate, mix="analytics")
    how = "reused" if dataset.reused else f"generated in {dataset.seconds:.0f} s"
    harness.say(f"data set: {dataset.dossiers:,} dossiers ({how})")
    app = harness.make_app(url)
    results = []
    with psycopg.connect(datagen.psycopg_dsn(url), autocommit=True) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM task), (SELECT count(*) FROM event)"
        ).fetchone()
        harness.say(f"  {counts[0]:,} tasks, {counts[1]:,} events" if counts else "")
        conn.execute("ANALYZE dossier")
        sessions = harness.session_factory(app)
        try:
            names = [
                "dashboard",
                "province",
                "province_year",
                "index",
                "heatmap_province",
                "heatmap_commune",
            ]
            results += _round(conn, sessions, size, "shipped indexes", names, judged=True)
        finally:
            harness.app_engine(app).dispose()
    return results


def _round(
    conn: psycopg.Connection[Any],
    sessions: Any,
    size: int,
    label: str,
    names: list[str],
    *,
    judged: bool = False,
) -> list[harness.Result]:
    figures = Figures(conn, sessions, random.Random(17))
    samples = _time(figures, names)
    results = []
    for name in names:
        values = samples[name]
        p95 = harness.percentile(values, 0.95)
        harness.say(f"  {label:<16} {name:<15} {harness.summary_ms(values)}")
        target = judged
        results.append(
            harness.Result(
                f"8 analytics, {name} ({size // 1000}k, {label})",
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
