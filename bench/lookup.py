"""4. Finding one dossier by its code among many, on the inbox's generated data set (PostgreSQL).

- engine, by code: `SELECT … FROM dossier WHERE code = ?` (its unique index) in a new session.
- engine, staff view: the same, then engine.queries.dossiers.dossier_view with history (the
  dossier page a civil servant opens; shown without a target).
- engine, tracking: engine.dossiers.lookup.track(session, code=, key=), what a citizen's page calls.
- HTTP tracking: GET /api/v1/tracking?code=&key= through the Flask test client (no login).
Random dossiers; the first 20 lookups warm up and are not counted.
"""

from __future__ import annotations

import statistics
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import datagen
import harness

TARGET_MS = 10.0
LOOKUPS = 300
WARMUP = 20
TRACKING_RULE = "/api/v1/tracking"


def _timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


class Lookups:
    """The three ways of finding a dossier, each timed per call."""

    def __init__(self, url: str) -> None:
        self.app = harness.make_app(url)
        self.factory = harness.session_factory(self.app)
        self.client = self.app.test_client()
        self.ways: dict[str, Callable[[str, str], Any]] = {
            "engine, by code": self.by_code,
            "engine, staff view": self.staff_view,
            "engine, tracking": self.tracked,
            "HTTP tracking": self.http,
        }
        self.samples: dict[str, list[float]] = {name: [] for name in self.ways}

    def by_code(self, code: str, key: str) -> Any:
        from sqlalchemy import select

        from engine.models import Dossier

        with self.factory() as session:
            return session.scalars(select(Dossier).where(Dossier.code == code)).one()

    def staff_view(self, code: str, key: str) -> Any:
        """The whole dossier page a civil servant opens: open tasks, lifecycle, full history."""
        from sqlalchemy import select

        from engine.models import Dossier
        from engine.queries.dossiers import dossier_view

        with self.factory() as session:
            dossier = session.scalars(select(Dossier).where(Dossier.code == code)).one()
            return dossier_view(session, dossier, with_history=True)

    def tracked(self, code: str, key: str) -> Any:
        from engine.queries.tracking import track

        with self.factory() as session:
            return track(session, code=code, key=key)

    def http(self, code: str, key: str) -> None:
        query = urllib.parse.urlencode({"code": code, "key": key})
        response = self.client.get(f"{TRACKING_RULE}?{query}")
        if response.status_code != 200:
            raise SystemExit(f"lookup: tracking {code} -> {response.status_code} {response.json}")

    def collect(self, dossiers: list[tuple[str, str | None]]) -> None:
        for index, (code, key) in enumerate(dossiers):
            for name, way in self.ways.items():
                if key is None and name in ("engine, tracking", "HTTP tracking"):
                    continue
                elapsed = _timed(lambda way=way, code=code, key=key: way(code, key or ""))
                if index >= WARMUP:
                    self.samples[name].append(elapsed)


def measure(options: harness.Options) -> list[harness.Result]:
    size = options.pick(100_000, 1_000_000)
    harness.section(f"4. lookup by code and tracking: {size:,} dossiers (postgresql)")
    dataset = datagen.ensure(options.big_database_url, dossiers=size, regenerate=options.regenerate)
    how = "reused" if dataset.reused else f"generated in {dataset.seconds:.0f} s"
    harness.say(f"data set: {dataset.dossiers:,} dossiers ({how})")
    lookups = Lookups(dataset.url)
    lookups.collect(datagen.sample_dossiers(dataset.url, WARMUP + LOOKUPS))
    harness.app_engine(lookups.app).dispose()
    found = []
    for name, values in lookups.samples.items():
        p95 = harness.percentile(values, 0.95)
        harness.say(f"{name:<18} {harness.summary_ms(values)}")
        judged = name != "engine, staff view"
        found.append(
            harness.Result(
                f"4 lookup, {name} ({size // 1000}k dossiers)",
                f"p95 {p95:.1f} ms (p50 {statistics.median(values):.1f})",
                f"p95 < {TARGET_MS:.0f} ms" if judged else "-",
                p95 < TARGET_MS if judged else None,
            )
        )
    return found


def run(options: harness.Options) -> list[harness.Result]:
    problem = harness.reachable(options.big_database_url)
    if problem is not None:
        return [harness.skipped("4 lookup", f"p95 < {TARGET_MS:.0f} ms", problem)]
    return measure(options)
