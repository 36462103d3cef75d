"""Run the benchmarks and print one table: `make bench` or `.venv/bin/python bench/run.py`.

--steps N            timed task completions per row (default 300; 20 warm-up steps more)
--database-url URL   default: a fresh SQLite file in a temporary folder; a PostgreSQL URL
                     (postgresql+psycopg://...) has ALL its tables dropped and recreated.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Task completion through the API vs. our engine vs. a raw SpiffWorkflow step."
    )
    parser.add_argument(
        "--steps",
        type=int,
        default=300,
        help="timed steps per row, after 20 warm-up steps (default: 300)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL; default: a fresh SQLite file in a temporary folder. "
        "WARNING: on PostgreSQL every table of that database is dropped first.",
    )
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error("--steps must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # `python bench/run.py` puts only bench/ on the path
    import step_vs_raw  # after the sys.path insert above

    report = step_vs_raw.run(args.steps, args.database_url)
    print(step_vs_raw.render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
