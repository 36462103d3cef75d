"""Bottlenecks (issue 19): the parts of the heat map and the what-if that run in Python.

- clock: working hours of 100,000 completed tasks (three moments each) on the one calendar,
  what a heat map over 100,000 tasks spends besides its SQL (`engine.analytics.heatmap.step_times`);
- what-if: the simulation of social_allowance over 3 months of a busy commune's arrivals
  (25 dossiers a working day), 10 seeded runs of each of the two models for the draft and the
  current version (40 replications), as `simulate_draft` runs them. Target: < 10 s.
The SQL of a heat map at 1,000,000 dossiers runs on the demo year's data set (flask demo-year).

Run: .venv/bin/python bench/bottlenecks.py
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.analytics.heatmap import step_times  # noqa: E402
from engine.analytics.replication import Arrival  # noqa: E402
from engine.analytics.replication import Model  # noqa: E402
from engine.analytics.replication import replicate  # noqa: E402
from engine.analytics.step_rows import StepRow  # noqa: E402
from engine.analytics.step_rows import working_clock  # noqa: E402
from engine.bpmn.flow_graph import flow_graph  # noqa: E402

PROCESSES = Path(__file__).resolve().parents[1] / "processes"
TASKS = 100_000
PER_DAY = 25
WORKING_DAYS = 63
RUNS = 10


def clock_figure(rng: random.Random) -> float:
    start = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    rows = []
    for index in range(TASKS):
        created = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
        taken = created + timedelta(minutes=rng.randrange(0, 60 * 24 * 5))
        done = taken + timedelta(minutes=rng.randrange(1, 60 * 8))
        rows.append(
            StepRow(index, index, "verify", "v", "r", 1, 1, "completed", created, taken, done, None)
        )
    started = time.perf_counter()
    step_times(rows, working_clock())
    return time.perf_counter() - started


def simulation_figure(rng: random.Random) -> tuple[float, int]:
    folder = PROCESSES / "social_allowance"
    graph = flow_graph({p.name: p.read_text() for p in folder.iterdir() if p.suffix != ".json"})
    durations = {
        node.id: [rng.expovariate(1 / 1.5) for _ in range(500)]
        for node in graph.nodes.values()
        if node.kind == "human"
    }
    branches = {
        "is_eligible": [("guide_online_submission", 0.97), ("not_eligible", 0.03)],
        "decision_made": [("return_result", 0.9), ("return_refusal", 0.1)],
    }
    staff = {("labour_social", 1): 2, ("reception", 1): 3}
    clock, arrivals = 0.0, []
    while clock < WORKING_DAYS * 8:
        clock += rng.expovariate(PER_DAY / 8)
        arrivals.append(Arrival(clock, clock + 80, 1))
    started = time.perf_counter()
    for observed in (False, True):
        for _version in ("draft", "current"):
            model = Model(graph, durations, branches, staff, observed=observed)
            for run in range(RUNS):
                replicate(model, arrivals, run)
    return time.perf_counter() - started, len(arrivals)


def main() -> None:
    rng = random.Random(19)  # noqa: S311 (a replicable sample)
    seconds = clock_figure(rng)
    print(f"clock: {TASKS:,} tasks in {seconds:.2f} s ({seconds / TASKS * 1e6:.1f} µs per task)")
    seconds, arrivals = simulation_figure(rng)
    verdict = "met" if seconds < 10 else "MISSED"
    print(
        f"what-if: {arrivals:,} arrivals x {4 * RUNS} replications in {seconds:.2f} s "
        f"(target < 10 s: {verdict})"
    )


if __name__ == "__main__":
    main()
