"""BPMN timer events: each waiting timer is a row; the sweep fires the due ones, a batch of
instances per transaction, each instance on its own, with its own `now` (tests never wait for
real time)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy import text

from engine.background import sweep
from engine.background import timers
from engine.models import Dossier
from engine.models import Event
from engine.work import tasks
from tests.background import events_of
from tests.background import notifications
from tests.background import open_steps
from tests.background import publish_fixture
from tests.background import receive
from tests.background import rows
from tests.background import timers_of

REFUSE_TASK_ROWS = {
    "sqlite": [
        "CREATE TRIGGER refuse_task BEFORE INSERT ON task WHEN NEW.dossier_id = {dossier_id}"
        " BEGIN SELECT RAISE(ABORT, 'task rows of this dossier are refused'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_task() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'task rows of this dossier are refused'; END $$",
        "CREATE TRIGGER refuse_task BEFORE INSERT ON task FOR EACH ROW"
        " WHEN (NEW.dossier_id = {dossier_id}) EXECUTE FUNCTION refuse_task()",
    ],
}
ALLOW_TASK_ROWS = {
    "sqlite": ["DROP TRIGGER IF EXISTS refuse_task"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS refuse_task ON task",
        "DROP FUNCTION IF EXISTS refuse_task()",
    ],
}


@pytest.fixture
def follow_up(new_uow, actor):
    return publish_fixture(new_uow, actor("thietke"), "timer_follow_up")


def _run_sql(new_uow, statements, **params):
    with new_uow() as uow:
        dialect = uow.session.get_bind().dialect.name
        for statement in statements[dialect]:
            uow.session.execute(text(statement.format(**params)))
        uow.session.commit()


@pytest.fixture
def refuse_task_rows(new_uow):
    """`refuse_task_rows(dossier_id)`: the database refuses new task rows of that dossier (a
    trigger), as it would rows that break a constraint."""
    yield lambda dossier_id: _run_sql(new_uow, REFUSE_TASK_ROWS, dossier_id=dossier_id)
    _run_sql(new_uow, ALLOW_TASK_ROWS)


def _due_after_all(new_uow, dossier_ids):
    return max(timers_of(new_uow, d)[0].due_at for d in dossier_ids) + timedelta(minutes=1)


def _kinds(new_uow, dossier_id):
    return rows(
        new_uow, select(Event.kind).where(Event.dossier_id == dossier_id).order_by(Event.id)
    )


def test_receiving_a_dossier_stores_the_timer_it_waits_on_with_its_due_time(
    new_uow, actor, follow_up
):
    dossier = receive(new_uow, actor("tiepnhan1"), follow_up)

    [timer] = timers_of(new_uow, dossier.id)
    assert (timer.element_id, timer.state, timer.attempts) == ("one_hour_passed", "waiting", 0)
    assert timer.due_at - dossier.received_at == pytest.approx(
        timedelta(hours=1), abs=timedelta(seconds=5)
    )


def test_a_timer_fires_once_when_the_sweep_runs_past_its_due_time(new_uow, actor, follow_up):
    dossier = receive(new_uow, actor("tiepnhan1"), follow_up)
    [timer] = timers_of(new_uow, dossier.id)

    early = sweep.sweep(new_uow, now=timer.due_at - timedelta(minutes=1))
    assert early.timers_fired == 0
    assert open_steps(new_uow, dossier.id) == ["check_dossier"]

    report = sweep.sweep(new_uow, now=timer.due_at + timedelta(seconds=1))
    assert report.timers_fired == 1
    assert open_steps(new_uow, dossier.id) == ["check_dossier", "follow_up"]
    [fired] = events_of(new_uow, dossier.id, "timer_fired")
    assert (fired.element_id, fired.step_name) == ("one_hour_passed", "Quá 1 giờ")
    [row] = timers_of(new_uow, dossier.id)
    assert (row.state, row.fired_at) == ("fired", timer.due_at + timedelta(seconds=1))

    again = sweep.sweep(new_uow, now=timer.due_at + timedelta(hours=5))
    assert again.timers_fired == 0
    assert len(events_of(new_uow, dossier.id, "timer_fired")) == 1


def test_completing_the_step_first_cancels_its_timer(new_uow, actor, follow_up):
    receptionist = actor("tiepnhan1")
    dossier = receive(new_uow, receptionist, follow_up)
    [task] = dossier.tasks
    with new_uow() as uow:
        tasks.complete(uow, receptionist, task.id, {"dossier_complete": "yes"})

    [timer] = timers_of(new_uow, dossier.id)
    assert timer.state == "cancelled"
    assert sweep.sweep(new_uow, now=timer.due_at + timedelta(hours=1)).timers_fired == 0
    assert events_of(new_uow, dossier.id, "timer_fired") == []


def test_an_interrupting_timer_ends_the_dossier_and_tells_the_applicant(new_uow, actor):
    code = publish_fixture(new_uow, actor("thietke"), "timer_interrupting")
    dossier = receive(new_uow, actor("tiepnhan1"), code)
    [timer] = timers_of(new_uow, dossier.id)

    sweep.sweep(new_uow, now=timer.due_at + timedelta(seconds=1))

    assert open_steps(new_uow, dossier.id) == []
    [change] = events_of(new_uow, dossier.id, "status_changed")
    assert (change.detail["from"], change.detail["to"]) == ("received", "refused")
    told = [(n.kind, n.channel) for n in notifications(new_uow, dossier_id=dossier.id)]
    assert told == [
        ("received", "email"),
        ("received", "sms"),
        ("refused", "email"),
        ("refused", "sms"),
    ]


def test_a_failing_timer_is_retried_with_backoff_and_does_not_hold_up_the_others(
    new_uow, actor, follow_up
):
    receptionist = actor("tiepnhan1")
    broken_code = publish_fixture(new_uow, actor("thietke"), "timer_broken_script")
    broken = receive(new_uow, receptionist, broken_code)
    healthy = receive(new_uow, receptionist, follow_up)
    [broken_timer] = timers_of(new_uow, broken.id)
    now = broken_timer.due_at + timedelta(minutes=5)

    report = sweep.sweep(new_uow, now=now)

    assert (report.timers_fired, report.timer_failures) == (1, 1)
    assert open_steps(new_uow, healthy.id) == ["check_dossier", "follow_up"]
    [row] = timers_of(new_uow, broken.id)
    assert (row.state, row.attempts, row.next_attempt_at) == (
        "waiting",
        1,
        now + timedelta(seconds=30),
    )
    assert "hours_overdue" in row.last_error
    [incident] = events_of(new_uow, broken.id, "timer_failed")
    assert incident.detail["will_retry"] is True
    assert open_steps(new_uow, broken.id) == ["check_dossier"]

    assert sweep.sweep(new_uow, now=now + timedelta(seconds=29)).timer_failures == 0
    assert sweep.sweep(new_uow, now=now + timedelta(seconds=30)).timer_failures == 1
    assert timers_of(new_uow, broken.id)[0].attempts == 2


def test_a_timer_that_keeps_failing_is_given_up_after_the_last_attempt(new_uow, actor):
    code = publish_fixture(new_uow, actor("thietke"), "timer_broken_script")
    dossier = receive(new_uow, actor("tiepnhan1"), code)
    [timer] = timers_of(new_uow, dossier.id)
    now = timer.due_at

    for _ in range(3):
        with new_uow() as uow:
            timers.fire_batch(uow, now=now, max_attempts=3)
        now += timedelta(hours=7)

    [row] = timers_of(new_uow, dossier.id)
    assert (row.state, row.attempts) == ("failed", 3)
    gave_up = events_of(new_uow, dossier.id, "timer_failed")[-1]
    assert gave_up.detail["will_retry"] is False
    with new_uow() as uow:
        assert timers.fire_batch(uow, now=now + timedelta(days=30)).claimed == 0


def test_a_batch_fires_every_healthy_instance_when_one_of_them_fails(new_uow, actor, follow_up):
    receptionist = actor("tiepnhan1")
    broken_code = publish_fixture(new_uow, actor("thietke"), "timer_broken_script")
    healthy = [receive(new_uow, receptionist, follow_up).id]
    broken = receive(new_uow, receptionist, broken_code).id
    healthy += [receive(new_uow, receptionist, follow_up).id for _ in range(2)]
    now = _due_after_all(new_uow, [*healthy, broken])

    with new_uow() as uow:
        batch = timers.fire_batch(uow, now=now)

    assert batch.claimed == 4
    results = {outcome.dossier_id: (outcome.fired, outcome.error) for outcome in batch.outcomes}
    assert {d: results[d] for d in healthy} == {d: (1, None) for d in healthy}
    assert results[broken][0] == 0 and "hours_overdue" in results[broken][1]
    for dossier_id in healthy:
        assert open_steps(new_uow, dossier_id) == ["check_dossier", "follow_up"]
        assert _kinds(new_uow, dossier_id)[-2:] == ["timer_fired", "task_created"]
    [row] = timers_of(new_uow, broken)
    assert (row.state, row.attempts) == ("waiting", 1)
    assert _kinds(new_uow, broken)[-2:] == ["timer_failed", "incident_opened"]
    assert open_steps(new_uow, broken) == ["check_dossier"]


def test_a_dossier_whose_rows_the_database_refuses_fails_alone(
    new_uow, actor, follow_up, refuse_task_rows
):
    receptionist = actor("tiepnhan1")
    dossiers = [receive(new_uow, receptionist, follow_up).id for _ in range(3)]
    refused = dossiers[1]
    refuse_task_rows(refused)

    report = sweep.sweep(new_uow, now=_due_after_all(new_uow, dossiers))

    assert (report.timers_fired, report.timer_failures, report.errors) == (2, 1, 0)
    for dossier_id in dossiers:
        if dossier_id != refused:
            assert open_steps(new_uow, dossier_id) == ["check_dossier", "follow_up"]
            assert [t.state for t in timers_of(new_uow, dossier_id)] == ["fired"]
    [row] = timers_of(new_uow, refused)
    assert (row.state, row.attempts) == ("waiting", 1)
    assert "task rows of this dossier are refused" in row.last_error
    assert events_of(new_uow, refused, "timer_fired") == []
    assert len(events_of(new_uow, refused, "timer_failed")) == 1
    assert open_steps(new_uow, refused) == ["check_dossier"]


def test_a_cycle_timer_gets_a_row_for_its_next_round_when_it_fires(new_uow, actor):
    code = publish_fixture(new_uow, actor("thietke"), "timer_cycle")
    dossier = receive(new_uow, actor("tiepnhan1"), code)
    [first] = timers_of(new_uow, dossier.id)

    sweep.sweep(new_uow, now=first.due_at + timedelta(minutes=5))

    fired, second = timers_of(new_uow, dossier.id)
    assert (fired.state, second.state) == ("fired", "waiting")
    assert second.due_at == first.due_at + timedelta(hours=1)
    assert open_steps(new_uow, dossier.id) == ["check_dossier", "follow_up"]

    assert sweep.sweep(new_uow, now=second.due_at).timers_fired == 1
    assert [t.state for t in timers_of(new_uow, dossier.id)] == ["fired", "fired"]
    assert open_steps(new_uow, dossier.id) == ["check_dossier", "follow_up", "follow_up"]


def test_a_batch_sends_as_many_statements_for_six_timers_as_for_two(new_uow, actor, follow_up):
    receptionist = actor("tiepnhan1")
    dossiers = [receive(new_uow, receptionist, follow_up).id for _ in range(8)]
    now = _due_after_all(new_uow, dossiers)
    with new_uow() as uow:
        engine = uow.session.get_bind()
    sent = []

    def record(_connection, _cursor, statement, *_args):
        sent.append(statement.split("\n")[0][:50])

    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        counts = []
        for size in (2, 6):
            sent.clear()
            with new_uow() as uow:
                assert len(timers.fire_batch(uow, now=now, size=size).outcomes) == size
            counts.append(len(sent))
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)

    assert counts[0] == counts[1] <= 12, sent


def test_a_dossier_a_command_holds_is_skipped_and_fires_on_the_next_pass(
    new_uow, actor, follow_up, database_url
):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has one writer at a time: a sweeper waits for the lock, never skips")
    receptionist = actor("tiepnhan1")
    held, free = (receive(new_uow, receptionist, follow_up).id for _ in range(2))
    now = _due_after_all(new_uow, [held, free])

    with new_uow() as command:
        command.begin_write()
        command.session.execute(select(Dossier.id).where(Dossier.id == held).with_for_update())
        assert [o.dossier_id for o in timers.fire_due(new_uow, now=now)] == [free]
        assert timers_of(new_uow, held)[0].state == "waiting"

    assert [o.dossier_id for o in timers.fire_due(new_uow, now=now)] == [held]
    assert open_steps(new_uow, held) == ["check_dossier", "follow_up"]


@pytest.mark.committed
def test_two_sweepers_taking_small_batches_fire_each_timer_once(new_uow, actor, follow_up):
    receptionist = actor("tiepnhan1")
    dossiers = [receive(new_uow, receptionist, follow_up).id for _ in range(8)]
    now = _due_after_all(new_uow, dossiers)
    barrier = Barrier(2)

    def run(_):
        barrier.wait()
        return timers.fire_due(new_uow, now=now, size=3)

    with ThreadPoolExecutor(2) as pool:
        outcomes = [outcome for result in pool.map(run, range(2)) for outcome in result]

    assert sorted(o.dossier_id for o in outcomes) == sorted(dossiers)
    assert all((o.fired, o.error) == (1, None) for o in outcomes)
    for dossier_id in dossiers:
        assert len(events_of(new_uow, dossier_id, "timer_fired")) == 1
        assert open_steps(new_uow, dossier_id) == ["check_dossier", "follow_up"]
