"""BPMN timer events: each waiting timer is a row; the sweep fires the due ones, one transaction
per timer, with its own `now` (tests never wait for real time)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine import sweep
from engine import tasks
from engine import timers
from tests.background import events_of
from tests.background import notifications
from tests.background import open_steps
from tests.background import publish_fixture
from tests.background import receive
from tests.background import timers_of


@pytest.fixture
def follow_up(new_uow, actor):
    return publish_fixture(new_uow, actor("thietke"), "timer_follow_up")


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
            timers.fire_next(uow, now=now, max_attempts=3)
        now += timedelta(hours=7)

    [row] = timers_of(new_uow, dossier.id)
    assert (row.state, row.attempts) == ("failed", 3)
    gave_up = events_of(new_uow, dossier.id, "timer_failed")[-1]
    assert gave_up.detail["will_retry"] is False
    with new_uow() as uow:
        assert timers.fire_next(uow, now=now + timedelta(days=30)) is None
