"""Form 05 rows from the event log alone: a pure rule, no database."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from engine.queries.control_slip import TaskState
from engine.queries.control_slip import TrailEvent
from engine.queries.control_slip import control_rows
from engine.views import UnitRef
from engine.views import UserRef

C01 = UnitRef("C01", "Xã Tân Hòa")
C02 = UnitRef("C02", "Xã Bình An")
LAN = UserRef(1, "tiepnhan1", "Nguyễn Thị Lan")
MINH = UserRef(2, "hotich2", "Trần Văn Minh")
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def trail(kind: str, hours: float, **fields: Any) -> TrailEvent:
    values: dict[str, Any] = {
        "actor": None,
        "unit": None,
        "to_unit": None,
        "task_id": None,
        "step_name": None,
        "detail": {},
    }
    values.update(fields)
    return TrailEvent(kind=kind, at=at(hours), **values)


def test_a_task_row_shows_who_handed_it_who_took_it_and_whether_it_was_late():
    events = [
        trail("received", 0, actor=LAN, unit=C01, to_unit=C02, detail={"channel": "in_person"}),
        trail(
            "task_created", 0, actor=LAN, unit=C01, to_unit=C02, task_id=7, step_name="Khai sinh"
        ),
        trail("task_claimed", 1, actor=MINH, unit=C02, task_id=7),
        trail("task_completed", 30, actor=MINH, unit=C02, task_id=7, detail={"data": {}}),
    ]

    received, step = control_rows(
        events, {7: TaskState("completed", at(8))}, applicant_name="Nguyễn Văn An"
    )

    assert (received.from_unit, received.to_unit, received.giver) == (C01, C02, LAN.full_name)
    assert (received.outcome, received.method) == ("received", "in_person")
    assert (step.from_unit, step.to_unit, step.step_name) == (C01, C02, "Khai sinh")
    assert (step.giver, step.taker, step.taken_at) == (LAN.full_name, MINH.full_name, at(1))
    assert (step.outcome, step.done_at, step.timeliness) == ("completed", at(30), "late")


def test_a_step_done_before_its_due_day_is_early_and_one_without_a_due_time_is_unclassed():
    events = [
        trail("task_created", 0, actor=LAN, unit=C01, to_unit=C01, task_id=1),
        trail("task_created", 0, actor=LAN, unit=C01, to_unit=C01, task_id=2),
        trail("task_completed", 1, actor=LAN, unit=C01, task_id=1),
        trail("task_completed", 1, actor=LAN, unit=C01, task_id=2),
    ]
    tasks = {1: TaskState("completed", at(48)), 2: TaskState("completed", None)}

    early, unclassed = control_rows(events, tasks, applicant_name=None)

    assert (early.timeliness, unclassed.timeliness) == ("early", None)


def test_a_supplement_goes_to_the_applicant_and_comes_back_from_them():
    events = [
        trail(
            "supplement_requested",
            1,
            actor=LAN,
            unit=C01,
            detail={"reason": "Thiếu giấy tờ", "items": ["Giấy chứng sinh"]},
        ),
        trail("supplement_received", 5, actor=LAN, unit=C01, detail={"note": "Đã nộp"}),
        trail("status_changed", 5, unit=C01, detail={"from": "a", "to": "b"}),
    ]

    asked, answered = control_rows(events, {}, applicant_name="Nguyễn Văn An")

    assert (asked.from_unit, asked.to_unit, asked.taker) == (C01, None, "Nguyễn Văn An")
    assert asked.note == "Thiếu giấy tờ – Giấy chứng sinh"
    assert (answered.from_unit, answered.to_unit) == (None, C01)
    assert (answered.giver, answered.taker, answered.note) == (
        "Nguyễn Văn An",
        LAN.full_name,
        "Đã nộp",
    )


def test_a_cancelled_task_keeps_its_row_without_a_taker():
    events = [
        trail("task_created", 0, actor=LAN, unit=C01, to_unit=C01, task_id=3),
        trail("task_cancelled", 2, actor=LAN, unit=C01, task_id=3),
        trail("refused", 2, actor=LAN, unit=C01, detail={"reason": "Không đủ điều kiện"}),
    ]

    step, refused = control_rows(events, {3: TaskState("cancelled", None)}, applicant_name=None)

    assert (step.outcome, step.taker, step.done_at) == ("cancelled", None, at(2))
    assert (refused.outcome, refused.to_unit, refused.note) == (
        "refused",
        None,
        "Không đủ điều kiện",
    )
