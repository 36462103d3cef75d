"""kill -9 of the whole server (master and workers) in the middle of the load, then a restart:
no acknowledged step is lost, nothing stays locked, and timers that fell due while the server was
down fire exactly once although several sweepers start together."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.soak import ledger
from tests.soak.conftest import TIMER_PROCEDURE
from tests.soak.load import ADMIN
from tests.soak.load import APPLICANT
from tests.soak.load import STEP_DATA
from tests.soak.load import call
from tests.soak.load import login_all
from tests.soak.report import failures
from tests.soak.report import figures
from tests.soak.report import load_lines
from tests.support.live_server import ROOT
from tests.support.live_server import Gunicorn

pytestmark = pytest.mark.soak

TIMER_DOSSIERS = 3
TIMER_SECONDS = 2.0
"""tests/soak/timer_soon.bpmn: the reminder is due this long after the dossier is received."""
SWEEPERS = 2
"""`flask sweep` processes started with the new server, racing its workers' start-up sweeps."""
ANSWER_WITHIN = 10.0
"""After the restart each request must be answered this fast: a lock left behind would stall it."""


def test_kill_9_under_load_loses_no_acknowledged_step_and_leaves_nothing_stuck(
    settings, soak_database, start_server, crowd, start_sweeper
):
    engine = soak_database.engine
    first = start_server(scheduler=False)  # no sweeper: the timers can fire only after the crash
    tokens = login_all(first.port)
    clients = crowd(first.port, tokens)
    began = time.monotonic()
    time.sleep(settings.seconds / 2)
    timer_dossiers, killed_at = _kill_while_timers_wait(first, tokens["tiepnhan1"], engine)

    restarted_at = time.monotonic()
    sweepers = [start_sweeper() for _ in range(SWEEPERS)]
    second = start_server(scheduler=True, port=first.port)
    ready_at = time.monotonic()
    time.sleep(settings.seconds / 2)
    tally = clients.stop()
    elapsed = time.monotonic() - began
    swept = [_timers_fired_by(sweeper) for sweeper in sweepers]
    _wait_until_fired(engine, timer_dossiers)
    drained = _drain(second.port, tokens[ADMIN], engine)

    recovered_at = min(t for t in tally.successes if t > killed_at)
    acked_before_kill = [ack for ack in tally.acks if ack.at < killed_at]
    figures(
        f"crash: {settings.clients} clients, kill -9 after {settings.seconds / 2:.0f} s",
        {
            **load_lines(tally, elapsed),
            "completions acknowledged before the kill": len(acked_before_kill),
            "kill -> restart (until the timers were due)": f"{restarted_at - killed_at:.1f} s",
            "restart -> server ready": f"{ready_at - restarted_at:.1f} s",
            "restart -> first 2xx to a client": f"{recovered_at - restarted_at:.1f} s",
            "kill -> first 2xx to a client": f"{recovered_at - killed_at:.1f} s",
            "timers fired by each `flask sweep` (the rest: the server)": swept,
            "open tasks completed after the restart": drained,
        },
    )
    assert (tally.server_errors, len(tally.unexpected)) == (0, 0), failures(tally, second)
    assert acked_before_kill, "nothing was completed before the kill: the test tested nothing"
    assert ledger.audit(engine, tally.acks) == {}
    assert ledger.timer_story(engine, timer_dossiers) == {
        dossier_id: (["fired"], 1, 1) for dossier_id in timer_dossiers
    }
    assert ledger.open_tasks(engine) == []


def _kill_while_timers_wait(
    server: Gunicorn, token: str, engine: Engine
) -> tuple[list[int], float]:
    """Receive the timer dossiers, kill -9 the server at once, and wait until their timers are
    due: they fall due while it is down. Returns their ids and when the server died."""
    body = {"procedure_code": TIMER_PROCEDURE, "channel": "in_person", "applicant": APPLICANT}
    dossier_ids = []
    for _ in range(TIMER_DOSSIERS):
        status, answer = call(server.port, "POST", "/api/v1/dossiers", token=token, body=body)
        assert status == 201, answer
        dossier_ids.append(int(answer["id"]))
    received_at = time.monotonic()
    server.kill()
    killed_at = time.monotonic()
    waiting = {dossier_id: (["waiting"], 0, 0) for dossier_id in dossier_ids}
    assert ledger.timer_story(engine, dossier_ids) == waiting
    time.sleep(max(0.0, received_at + TIMER_SECONDS + 0.2 - time.monotonic()))
    return dossier_ids, killed_at


def _timers_fired_by(sweeper: subprocess.Popen[str]) -> int:
    """Wait for a `flask sweep` to end; how many timers it fired, from its report line."""
    output, _ = sweeper.communicate(timeout=120)
    assert sweeper.returncode == 0, output
    fired = re.search(r"timers_fired=(\d+)", output)
    assert fired is not None, output
    return int(fired.group(1))


@pytest.fixture
def start_sweeper(soak_database) -> Iterator[Callable[[], subprocess.Popen[str]]]:
    """`start_sweeper()`: `flask sweep --no-dispatch` in a process of its own, as an operator's
    cron would run it; killed after the test if still running."""
    started: list[subprocess.Popen[str]] = []
    flask = Path(sys.executable).parent / "flask"
    env = {**os.environ, "DATABASE_URL": soak_database.url, "FLASK_APP": "wsgi"}

    def _start() -> subprocess.Popen[str]:
        started.append(
            subprocess.Popen(  # noqa: S603 - our own venv's flask
                [str(flask), "sweep", "--no-dispatch"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
        return started[-1]

    yield _start
    for sweeper in started:
        if sweeper.poll() is None:
            sweeper.kill()
        sweeper.communicate()


def _wait_until_fired(engine: Engine, dossier_ids: list[int], timeout: float = 60.0) -> None:
    """The restarted server sweeps at start-up and every second; wait until each timer fired."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        story = ledger.timer_story(engine, dossier_ids)
        if all(fired >= 1 for _, fired, _ in story.values()):
            return
        time.sleep(0.2)
    raise AssertionError(f"timers not fired {timeout:.0f} s after the restart: {story}")


def _drain(port: int, token: str, engine: Engine) -> int:
    """As admin, claim (or take over) and complete every open task until none is left; each
    request must be answered within ANSWER_WITHIN. Returns how many were completed."""
    completed = 0
    for _ in range(20):
        open_tasks = ledger.open_tasks(engine)
        if not open_tasks:
            return completed
        for task_id, element_id, assignee_id in open_tasks:
            if assignee_id is None:
                _answered(port, token, f"/api/v1/tasks/{task_id}/claim", None)
            else:
                body = {"assignee": ADMIN, "note": "sau khi khởi động lại"}
                _answered(port, token, f"/api/v1/tasks/{task_id}/reassign", body)
            body = {"data": STEP_DATA[element_id]}
            _answered(port, token, f"/api/v1/tasks/{task_id}/complete", body)
            completed += 1
    raise AssertionError(f"tasks still open after 20 rounds: {ledger.open_tasks(engine)}")


def _answered(port: int, token: str, path: str, body: object) -> None:
    status, answer = call(port, "POST", path, token=token, body=body, timeout=ANSWER_WITHIN)
    assert status == 200, (path, answer)
