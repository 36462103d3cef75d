"""Every way a dossier finishes keeps, on its row, what the leaders' figures count in SQL: its
timeliness against the statutory due time and its office hours from receipt to the end (the
hand-worked month of test_stats.py; newborn_bundle has 7 working days, offices open 07:30-11:30
and 13:00-17:00). Imports only receive open dossiers (there is no import of a finished one), so
they have nothing to keep."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.dossiers.delivery import return_result
from engine.dossiers.endings import refuse
from engine.dossiers.endings import stop
from engine.dossiers.endings import withdraw
from engine.dossiers.receive import Submission
from engine.dossiers.receive import receive
from engine.models import Dossier
from engine.models import Task
from engine.work import tasks
from tests.api.analytics_data import Month
from tests.api.analytics_data import at
from tests.api.journeys import APPLICANT
from tests.api.lifecycle import publish_certify_copy


@pytest.fixture
def month(new_uow, actor, monkeypatch):
    return Month(new_uow, actor, monkeypatch)


def kept(month: Month, name: str) -> tuple[str | None, float | None, str]:
    with month.new_uow() as uow:
        dossier = uow.session.scalars(select(Dossier).where(Dossier.id == month.ids[name])).one()
        return dossier.timeliness, dossier.working_hours, dossier.status


@pytest.mark.parametrize(
    ("received", "settled", "expected"),
    [
        ("2026-08-03T09:00", "2026-08-04T10:00", ("early", 9.0)),  # 6.5 h + 2.5 h
        ("2026-08-03T09:00", "2026-08-12T17:00", ("on_time", 62.5)),  # at its due time
        ("2026-07-20T09:00", "2026-08-05T10:00", ("late", 97.0)),  # due Wed 29/07 17:00
    ],
)
def test_a_dossier_settled_by_its_workflow_keeps_its_class_and_hours(
    month, received, settled, expected
):
    month.receive("A", received, "in_person")
    assert kept(month, "A") == (None, None, "received")

    month.settle("A", settled)

    assert kept(month, "A") == (*expected, "result_returned")


@pytest.mark.parametrize(
    ("end", "by", "status"),
    [
        (refuse, "tiepnhan1", "refused"),
        (withdraw, "tiepnhan1", "withdrawn"),
        (stop, "lanhdao1", "stopped"),
    ],
)
def test_an_ended_dossier_keeps_its_class_and_hours(month, end, by, status):
    month.receive("F", "2026-08-12T09:00", "postal")

    with month.new_uow() as uow:
        end(uow, month.actor(by), month.ids["F"], reason="Lý do", now=at("2026-08-13T09:00"))

    assert kept(month, "F") == ("early", 8.0, status)


def test_handing_over_a_result_keeps_what_the_end_of_processing_fixed(month, new_uow, actor):
    """certify_copy's diagram ends at `processed` (3 working days): the class and the hours are
    those of the result, not of the day the applicant collects it."""
    publish_certify_copy(new_uow, actor)
    submission = Submission(
        procedure_code="certify_copy", applicant=APPLICANT, channel="in_person", data={"pages": 3}
    )
    with new_uow() as uow:
        uow.begin_write()
        dossier_id = receive(uow, actor("tiepnhan1"), submission, now=at("2026-08-03T09:00")).id
        uow.commit()
    month.ids["P"] = dossier_id
    month.monkeypatch.setattr(tasks, "utcnow", lambda: at("2026-08-04T10:00"))
    with new_uow() as uow:
        task_id = uow.session.scalar(select(Task.id).where(Task.dossier_id == dossier_id))
    with new_uow() as uow:
        tasks.complete(uow, actor("hotich1"), task_id, {"certification_number": "CT-12"})
    assert kept(month, "P") == ("early", 9.0, "processed")

    with new_uow() as uow:
        return_result(
            uow, actor("tiepnhan1"), dossier_id, method="in_person", now=at("2026-08-20T09:00")
        )

    assert kept(month, "P") == ("early", 9.0, "result_returned")
