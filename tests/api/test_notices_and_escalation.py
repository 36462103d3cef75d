"""What the API shows of the background work: the notices sent to a dossier's applicant, and the
leader's view of escalated tasks."""

from __future__ import annotations

from datetime import timedelta

from engine.background import sweep
from tests.background import publish_fixture
from tests.background import receive


def test_a_dossiers_notices_to_its_applicant_are_listed_with_its_record(desk):
    dossier = desk.receive()

    response = desk.get(f"/api/v1/dossiers/{dossier['id']}/notices", by="tiepnhan1")

    assert response.status_code == 200
    [notice] = response.json["items"]  # the demo applicant gave a phone number only
    assert (notice["kind"], notice["channel"], notice["recipient"], notice["status"]) == (
        "received",
        "sms",
        "0912345678",
        "pending",
    )
    assert dossier["code"] in notice["subject"]
    assert notice["created_at"].endswith("+07:00")


def test_the_notices_of_another_units_dossier_are_not_shown(desk):
    dossier = desk.receive()

    other = desk.get(f"/api/v1/dossiers/{dossier['id']}/notices", by="tiepnhan2")
    missing = desk.get("/api/v1/dossiers/999999/notices", by="tiepnhan1")

    assert (other.status_code, missing.status_code) == (403, 404)


def test_a_leader_sees_the_escalated_tasks_of_the_unit_they_lead(desk, new_uow, actor):
    code = publish_fixture(new_uow, actor("thietke"), "step_limit")
    dossier = receive(new_uow, actor("tiepnhan1"), code)
    [task] = dossier.tasks
    assert desk.inbox("lanhdao1", scope="escalated") == []

    sweep.sweep(new_uow, now=task.due_at + timedelta(minutes=1))

    assert desk.inbox("lanhdao1", scope="escalated") == ["check_dossier"]
    assert desk.inbox("lanhdao2", scope="escalated") == []
    assert desk.inbox("tiepnhan1", scope="escalated") == []
    history = desk.dossier(dossier.id)["history"]
    assert "task_escalated" in [event["kind"] for event in history]
