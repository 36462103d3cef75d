"""A small month of dossiers built through the engine's own commands at chosen moments, with
every figure of August 2026 worked out by hand (tests/api/test_stats.py asserts them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from engine.access.actors import Actor
from engine.dossiers.endings import refuse
from engine.dossiers.endings import withdraw
from engine.dossiers.receive import Submission
from engine.dossiers.receive import receive
from engine.dossiers.supplements import request_supplement
from engine.models import Task
from engine.store.uow import UnitOfWork
from engine.work import tasks
from tests.api.journeys import APPLICANT
from tests.api.journeys import NEWBORN_STEPS


def at(text: str) -> datetime:
    return datetime.fromisoformat(f"{text}+07:00")


AUGUST = {"from": "2026-08-01", "to": "2026-09-01"}


class Month:
    """Builds the dossiers; `ids[name]` is each one's id."""

    def __init__(
        self,
        new_uow: Callable[[], UnitOfWork],
        actor: Callable[[str], Actor],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        self.new_uow, self.actor, self.monkeypatch = new_uow, actor, monkeypatch
        self.ids: dict[str, int] = {}

    def receive(
        self, name: str, when: str, channel: str, point: dict[str, Any] | None = None
    ) -> int:
        submission = Submission(
            procedure_code="newborn_bundle",
            applicant=APPLICANT,
            channel=channel,
            data={},
            reception_point=point,
        )
        with self.new_uow() as uow:
            uow.begin_write()
            dossier = receive(uow, self.actor("tiepnhan1"), submission, now=at(when))
            uow.commit()
            self.ids[name] = dossier.id
        return dossier.id

    def settle(self, name: str, when: str, delivery: str = "in_person") -> None:
        """Every newborn step, the last (handing over the result) at `when`."""
        self.monkeypatch.setattr(tasks, "utcnow", lambda: at(when))
        steps = dict(NEWBORN_STEPS)
        steps["return_results"] = ("tiepnhan1", {"delivery_method": delivery})
        while True:
            with self.new_uow() as uow:
                open_tasks = uow.session.execute(
                    select(Task.id, Task.element_id).where(
                        Task.dossier_id == self.ids[name], Task.state == "open"
                    )
                ).all()
            if not open_tasks:
                return
            for task_id, element_id in open_tasks:
                username, data = steps[element_id]
                with self.new_uow() as uow:
                    tasks.complete(uow, self.actor(username), task_id, data)


def build_august(month: Month) -> dict[str, int]:
    """A..G of test_stats.py's docstring."""
    month.receive("A", "2026-08-03T09:00", "in_person")
    month.settle("A", "2026-08-04T10:00")
    month.receive("B", "2026-08-03T09:00", "online")
    month.settle("B", "2026-08-12T17:00", delivery="electronic")
    month.receive(
        "C", "2026-08-22T08:00", "in_person", {"kind": "mobile", "name": "Nhà văn hóa thôn Đông"}
    )
    month.receive("D", "2026-07-20T09:00", "in_person")
    month.settle("D", "2026-08-05T10:00")
    month.receive("E", "2026-08-10T09:00", "online")
    with month.new_uow() as uow:
        request_supplement(
            uow,
            month.actor("tiepnhan1"),
            month.ids["E"],
            reason="Thiếu giấy chứng sinh",
            items=["Giấy chứng sinh (bản chính)"],
            now=at("2026-08-11T09:00"),
        )
    month.receive("F", "2026-08-12T09:00", "postal")
    with month.new_uow() as uow:
        refuse(
            uow,
            month.actor("tiepnhan1"),
            month.ids["F"],
            reason="Không thuộc thẩm quyền",
            now=at("2026-08-13T09:00"),
        )
    month.receive("G", "2026-08-14T09:00", "in_person")
    with month.new_uow() as uow:
        withdraw(
            uow,
            month.actor("tiepnhan1"),
            month.ids["G"],
            reason="Công dân rút hồ sơ",
            now=at("2026-08-14T15:00"),
        )
    return month.ids
