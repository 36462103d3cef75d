"""The figures a soak run prints (shown with `pytest -rP`, as `make soak` runs it)."""

from __future__ import annotations

from typing import Any

from tests.soak.load import ACTIONS
from tests.soak.load import Tally
from tests.support.live_server import Gunicorn

NOISE = "maximum number of running instances reached"
"""APScheduler skipping a sweep while the last one runs: expected under load, not a failure."""


def figures(title: str, lines: dict[str, Any]) -> None:
    print(f"\n{title}")  # noqa: T201 - the run's report
    for name, value in lines.items():
        print(f"  {name}: {value}")  # noqa: T201


def load_lines(tally: Tally, seconds: float) -> dict[str, Any]:
    """What the clients were answered over `seconds` of load."""
    completions = tally.count(action="complete", status=200)
    return {
        "requests answered": f"{tally.requests} ({tally.requests / seconds:.0f}/s)",
        "completions (2xx)": f"{completions} ({completions / seconds:.1f}/s)",
        "dossiers received": len(tally.received),
        "dossiers refused": tally.count(action="refuse", status=200),
        "409 (race lost)": f"{tally.count(status=409)} {dict(tally.conflicts.most_common())}",
        "409 per action": {action: tally.count(action=action, status=409) for action in ACTIONS},
        "5xx": tally.server_errors,
        "unexpected answers (5xx included)": len(tally.unexpected),
        "no answer (server down)": sum(tally.no_answer.values()),
    }


def failures(tally: Tally, server: Gunicorn) -> str:
    """Why a run failed: the answers that were neither 2xx nor 409, and the server's log."""
    log = "\n".join(line for line in server.log_tail(40000).splitlines() if NOISE not in line)
    return "\n".join([*tally.unexpected[:20], "--- gunicorn log ---", log[-8000:]])
