"""Run the benchmarks and print one table: `make bench` or `.venv/bin/python bench/run.py`.

--size reduced|full   reduced (default) finishes in minutes; full uses the sizes the targets name
--only NAME           run only these benchmarks (repeat, or comma-separate): see BENCHMARKS
--database-url URL    PostgreSQL for the server, growth, timer and step rows; ALL its tables
                      are dropped and recreated (default: $BENCH_DATABASE_URL or .../bench)
--big-database-url URL  PostgreSQL for the generated inbox/lookup data (default:
                      $BENCH_BIG_DATABASE_URL or .../bench_big); reused while it matches
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for _path in (str(ROOT), str(BENCH)):  # `python bench/run.py` puts only bench/ on the path
    if _path not in sys.path:
        sys.path.insert(0, _path)

import harness  # noqa: E402 - after the sys.path insert above

BENCHMARKS = (
    "publish",
    "step_vs_raw",
    "instructions",
    "growth",
    "throughput",
    "inbox",
    "lookup",
    "timers",
    "memory",
    "analytics",
)
"""Module names in bench/, in the order they run."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Một Cửa benchmarks: one table, one command.")
    parser.add_argument("--size", choices=("reduced", "full"), default="reduced")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help=f"one of: {', '.join(BENCHMARKS)} (repeat or comma-separate)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", harness.DEFAULT_PG),
        help="PostgreSQL URL; WARNING: every table of that database is dropped first",
    )
    parser.add_argument(
        "--big-database-url",
        default=os.environ.get("BENCH_BIG_DATABASE_URL", harness.DEFAULT_PG_BIG),
        help="PostgreSQL URL for the generated data set; WARNING: dropped when regenerated",
    )
    parser.add_argument(
        "--regenerate", action="store_true", help="generate the data set even if it matches"
    )
    parser.add_argument(
        "--steps", type=int, default=None, help="step_vs_raw: timed steps per row (override)"
    )
    args = parser.parse_args(argv)
    chosen = [name.strip() for value in args.only for name in value.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    args.only = chosen or list(BENCHMARKS)
    if args.steps is not None and args.steps < 1:
        parser.error("--steps must be at least 1")
    return args


def table(results: list[harness.Result]) -> str:
    verdict = {True: "yes", False: "NO", None: "-"}
    rows = [("benchmark", "figure", "target", "met")] + [
        (r.benchmark, r.figure, r.target, verdict[r.met]) for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(line.rstrip() for line in lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    results: list[harness.Result] = []
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as scratch:
        options = harness.Options(
            size=args.size,
            database_url=args.database_url,
            big_database_url=args.big_database_url,
            scratch=Path(scratch),
            steps=args.steps,
            regenerate=args.regenerate,
        )
        for line in harness.machine_lines(options):
            harness.say(line)
        for name in args.only:
            module = __import__(name)
            try:
                results.extend(module.run(options))
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - one failure must not hide the rest
                traceback.print_exc()
                first = (str(exc).splitlines() or [""])[0]
                failure = f"FAILED: {type(exc).__name__}: {first}"[:110]
                results.append(harness.Result(name, failure, "-", False))
    harness.section(f"summary ({args.size} size, {time.perf_counter() - started:.0f} s)")
    for line in harness.machine_lines(options):
        harness.say(line)
    harness.say("")
    harness.say(table(results))
    return 0 if all(r.met is not False for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
