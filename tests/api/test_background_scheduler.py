"""The scheduler in each API process: a timer that fell due while the platform was down fires at
start-up, and several sweepers (processes, hosts) fire each due timer exactly once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier

import pytest

from api import scheduler
from api.database import EXTENSION_KEY
from engine.background import sweep
from engine.bpmn import versions
from engine.bpmn.compiler import SpecCache
from engine.catalogue import procedures
from engine.store.uow import UnitOfWork
from tests.background import events_of
from tests.background import open_steps
from tests.background import publish_fixture
from tests.background import receive
from tests.background import timers_of
from tests.conftest import make_app

SWEEPERS = 2
DOSSIERS = 8


@pytest.fixture
def other_app(database_url):
    """`other_app(**config)` starts another application (another process) on the same database."""
    started = []

    def _start(**config):
        started.append(make_app(database_url, **config))
        return started[-1]

    yield _start
    for app in started:
        running = app.extensions.get(scheduler.SCHEDULER_KEY)
        if running is not None:
            scheduler.stop(running, wait=True)  # its jobs give their connections back
        app.extensions[EXTENSION_KEY].kw["bind"].dispose()


def uow_factory(app):
    factory = app.extensions[EXTENSION_KEY]
    return lambda: UnitOfWork(factory)


def test_a_timer_due_while_the_platform_was_down_fires_when_it_starts(
    app, new_uow, actor, other_app, monkeypatch
):
    code = publish_fixture(new_uow, actor("thietke"), "timer_follow_up")
    dossier = receive(new_uow, actor("tiepnhan1"), code)
    [timer] = timers_of(new_uow, dossier.id)
    app.extensions[EXTENSION_KEY].kw["bind"].dispose()  # the platform stops
    cold = SpecCache()  # a new process, a cold cache
    monkeypatch.setattr(procedures, "SPEC_CACHE", cold)
    monkeypatch.setattr(versions, "SPEC_CACHE", cold)

    restarted = other_app(SWEEP_INTERVAL_SECONDS=3600, DISPATCH_INTERVAL_SECONDS=3600)
    later = timer.due_at + timedelta(hours=3)
    scheduler.start(restarted, clock=lambda: later)
    fresh_uow = uow_factory(restarted)
    deadline = time.monotonic() + 10
    while timers_of(fresh_uow, dossier.id)[0].state == "waiting" and time.monotonic() < deadline:
        time.sleep(0.05)

    [row] = timers_of(fresh_uow, dossier.id)
    assert (row.state, row.fired_at) == ("fired", later)
    assert open_steps(fresh_uow, dossier.id) == ["check_dossier", "follow_up"]


def test_the_scheduler_runs_only_in_serving_processes(app, other_app, monkeypatch):
    assert scheduler.should_start(app) is False  # tests
    assert scheduler.should_start(other_app(SCHEDULER_ENABLED=False)) is False
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")  # `flask prepare`, `flask sweep`, ...
    cli_app = other_app(TESTING=False)
    assert scheduler.should_start(cli_app) is False
    assert scheduler.SCHEDULER_KEY not in cli_app.extensions
    monkeypatch.delenv("FLASK_RUN_FROM_CLI")
    assert scheduler.should_start(cli_app) is True  # what gunicorn's workers see


@pytest.mark.committed
def test_two_sweepers_fire_each_due_timer_exactly_once(new_uow, actor, other_app):
    code = publish_fixture(new_uow, actor("thietke"), "timer_follow_up")
    receptionist = actor("tiepnhan1")
    dossiers = [receive(new_uow, receptionist, code).id for _ in range(DOSSIERS)]
    later = max(timers_of(new_uow, d)[0].due_at for d in dossiers) + timedelta(minutes=1)
    sweepers = [uow_factory(other_app()) for _ in range(SWEEPERS)]
    barrier = Barrier(SWEEPERS)

    def run(sweeper_uow):
        barrier.wait()
        return sweep.sweep(sweeper_uow, now=later)

    with ThreadPoolExecutor(SWEEPERS) as pool:
        reports = list(pool.map(run, sweepers))

    assert sum(report.timers_fired for report in reports) == DOSSIERS
    assert sum(report.errors + report.timer_failures for report in reports) == 0
    for dossier_id in dossiers:
        assert len(events_of(new_uow, dossier_id, "timer_fired")) == 1
        assert open_steps(new_uow, dossier_id) == ["check_dossier", "follow_up"]
        assert [t.state for t in timers_of(new_uow, dossier_id)] == ["fired"]
