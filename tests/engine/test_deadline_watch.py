"""Deadline warnings and escalation: one notice each, to whoever answers for the task or dossier,
and never twice (`warned_at`, `escalated_at`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.background import sweep
from engine.models import User
from tests.background import events_of
from tests.background import notifications
from tests.background import publish_fixture
from tests.background import receive


@pytest.fixture
def limited(new_uow, actor):
    """A dossier whose one task (reception, C01) must be done within 4 working hours. The
    dossier itself has 10 working days, so its own warning never falls in the task's window
    (with one day, it did whenever the calendar put both on the same morning)."""
    code = publish_fixture(new_uow, actor("thietke"), "step_limit", days=10)
    return receive(new_uow, actor("tiepnhan1"), code)


def usernames(new_uow, notices):
    with new_uow() as uow:
        names = dict(uow.session.execute(select(User.id, User.username)).all())
    return sorted(names[n.user_id] for n in notices)


def test_a_task_about_to_fall_due_is_warned_once_to_those_who_may_work_it(new_uow, limited):
    [task] = limited.tasks
    assert task.due_at is not None

    first = sweep.sweep(new_uow, now=task.due_at - timedelta(minutes=30))
    second = sweep.sweep(new_uow, now=task.due_at - timedelta(minutes=10))

    assert (first.warned, second.warned) == (1, 0)
    warnings = notifications(new_uow, kind="task_due_soon")
    assert usernames(new_uow, warnings) == ["admin", "tiepnhan1"]
    assert "Kiểm tra hồ sơ" in warnings[0].subject
    assert len(events_of(new_uow, limited.id, "task_due_soon")) == 1


def test_an_overdue_task_is_escalated_once_to_its_units_leaders(new_uow, limited):
    [task] = limited.tasks

    first = sweep.sweep(new_uow, now=task.due_at + timedelta(minutes=1))
    second = sweep.sweep(new_uow, now=task.due_at + timedelta(hours=2))

    assert (first.escalated, second.escalated) == (1, 0)
    escalations = notifications(new_uow, kind="task_escalated")
    assert usernames(new_uow, escalations) == ["admin", "lanhdao1"]
    assert "chưa có người nhận" in escalations[0].body
    [flag] = events_of(new_uow, limited.id, "task_escalated")
    assert flag.element_id == "check_dossier"


def test_a_dossier_about_to_fall_due_is_warned_once(new_uow, limited):
    assert limited.due_at is not None

    first = sweep.sweep(new_uow, now=limited.due_at - timedelta(minutes=30))
    second = sweep.sweep(new_uow, now=limited.due_at - timedelta(minutes=5))

    assert len(events_of(new_uow, limited.id, "dossier_due_soon")) == 1
    assert first.warned >= 1 and second.warned == 0
    [*_, warning] = notifications(new_uow, kind="dossier_due_soon")
    assert limited.code in warning.subject
