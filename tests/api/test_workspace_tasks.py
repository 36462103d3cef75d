"""The inbox through the API: scopes with counts, search, sorting; releasing and reassigning."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import update

from engine.models import Task
from tests.pages.conftest import Browser

APPLICANT_B = {"full_name": "Trần Thị Bích", "id_number": "001234567891"}


def set_due(new_uow, task_id, due_at):
    """Give a task a due time (as the deadline module would) to test what the inbox does with it."""
    with new_uow() as uow:
        uow.session.execute(update(Task).where(Task.id == task_id).values(due_at=due_at))
        uow.session.commit()


def scope_codes(desk, username, scope, **params):
    response = desk.get("/api/v1/tasks", by=username, scope=scope, **params)
    assert response.status_code == 200, response.json
    return [task["dossier_code"] for task in response.json["items"]]


@pytest.fixture
def two_dossiers(desk):
    """Two C01 dossiers waiting at check_dossier: (first, second) as API bodies."""
    first = desk.receive()
    second = desk.receive(applicant=APPLICANT_B)
    return first, second


def test_queue_holds_unclaimed_tasks_and_mine_holds_claimed_ones(desk, two_dossiers):
    first, second = two_dossiers
    task_id = desk.task_id(first["id"], "check_dossier")
    assert desk.post(f"/api/v1/tasks/{task_id}/claim", by="tiepnhan1").status_code == 200

    assert scope_codes(desk, "tiepnhan1", "mine") == [first["code"]]
    assert scope_codes(desk, "tiepnhan1", "queue") == [second["code"]]
    assert scope_codes(desk, "tiepnhan2", "queue") == []
    assert scope_codes(desk, "hotich1", "queue") == []


def test_overdue_and_due_soon_count_by_due_time_and_no_due_time_is_not_due(
    desk, new_uow, two_dossiers
):
    first, second = two_dossiers
    now = datetime.now(UTC)
    set_due(new_uow, desk.task_id(first["id"], "check_dossier"), now - timedelta(hours=2))
    set_due(new_uow, desk.task_id(second["id"], "check_dossier"), None)

    assert scope_codes(desk, "tiepnhan1", "overdue") == [first["code"]]
    assert scope_codes(desk, "tiepnhan1", "due_soon") == []
    counts = desk.get("/api/v1/tasks/counts", by="tiepnhan1").json["counts"]
    assert counts["overdue"] == 1
    assert counts["due_soon"] == 0
    assert counts["queue"] == 2
    assert counts["mine"] == 0

    set_due(new_uow, desk.task_id(second["id"], "check_dossier"), now + timedelta(minutes=30))
    assert scope_codes(desk, "tiepnhan1", "due_soon") == [second["code"]]
    assert desk.get("/api/v1/tasks/counts", by="tiepnhan1").json["counts"]["due_soon"] == 1


def test_search_finds_by_dossier_code_or_applicant_name(desk, two_dossiers):
    first, second = two_dossiers
    assert scope_codes(desk, "tiepnhan1", "queue", q="Bích") == [second["code"]]
    assert scope_codes(desk, "tiepnhan1", "queue", q=first["code"]) == [first["code"]]
    assert scope_codes(desk, "tiepnhan1", "queue", q="Không có ai") == []
    assert scope_codes(desk, "tiepnhan1", "queue", q="%") == []


def test_sorting_by_due_time_puts_tasks_without_one_last(desk, new_uow, two_dossiers):
    first, second = two_dossiers
    now = datetime.now(UTC)
    set_due(new_uow, desk.task_id(first["id"], "check_dossier"), now + timedelta(days=3))
    set_due(new_uow, desk.task_id(second["id"], "check_dossier"), now + timedelta(days=1))
    third = desk.receive()
    set_due(new_uow, desk.task_id(third["id"], "check_dossier"), None)

    earliest = [first["code"], second["code"], third["code"]]
    assert scope_codes(desk, "tiepnhan1", "queue") == [earliest[1], earliest[0], earliest[2]]
    assert scope_codes(desk, "tiepnhan1", "queue", sort="-due_at") == [
        earliest[0],
        earliest[1],
        earliest[2],
    ]
    response = desk.get("/api/v1/tasks", by="tiepnhan1", sort="due")
    assert response.status_code == 422


def test_a_released_task_goes_back_to_the_queue_and_the_history_says_so(desk, two_dossiers):
    first, _ = two_dossiers
    task_id = desk.task_id(first["id"], "check_dossier")
    desk.post(f"/api/v1/tasks/{task_id}/claim", by="tiepnhan1")

    response = desk.post(f"/api/v1/tasks/{task_id}/release", {"note": "nghỉ phép"}, by="tiepnhan1")
    assert response.status_code == 200, response.json
    assert response.json["assignee"] is None
    kinds = [e["kind"] for e in desk.dossier(first["id"])["history"]]
    assert kinds[-2:] == ["task_claimed", "task_released"]
    assert first["code"] in scope_codes(desk, "tiepnhan1", "queue")


def test_only_the_holder_may_release_a_task(desk, two_dossiers):
    first, _ = two_dossiers
    task_id = desk.task_id(first["id"], "check_dossier")
    desk.post(f"/api/v1/tasks/{task_id}/claim", by="tiepnhan1")
    assert desk.post(f"/api/v1/tasks/{task_id}/release", {}, by="admin").status_code == 409
    assert desk.post(f"/api/v1/tasks/{task_id}/release", {}, by="hotich1").status_code == 403


def test_a_leader_reassigns_a_task_to_a_named_colleague_with_a_note(desk, two_dossiers, login):
    first, _ = two_dossiers
    task_id = desk.task_id(first["id"], "check_dossier")
    desk.post(f"/api/v1/tasks/{task_id}/claim", by="tiepnhan1")

    body = {"assignee": "admin", "note": "Chị Lan đi công tác"}
    response = desk.post(f"/api/v1/tasks/{task_id}/reassign", body, by="lanhdao1")
    assert response.status_code == 200, response.json
    assert response.json["assignee"]["username"] == "admin"
    last = desk.dossier(first["id"])["history"][-1]
    assert last["kind"] == "task_reassigned"
    assert last["detail"] == {"from": "tiepnhan1", "to": "admin", "note": "Chị Lan đi công tác"}
    assert last["actor"]["username"] == "lanhdao1"


def test_reassigning_is_refused_to_non_leaders_and_to_colleagues_without_the_role(
    desk, two_dossiers
):
    first, _ = two_dossiers
    task_id = desk.task_id(first["id"], "check_dossier")
    url = f"/api/v1/tasks/{task_id}/reassign"
    assert desk.post(url, {"assignee": "tiepnhan1"}, by="hotich1").status_code == 403
    assert desk.post(url, {"assignee": "tiepnhan1"}, by="lanhdao2").status_code == 403
    wrong_role = desk.post(url, {"assignee": "hotich1"}, by="lanhdao1")
    assert wrong_role.status_code == 422
    assert "assignee" in wrong_role.json["errors"]
    assert desk.post(url, {"assignee": "nobody"}, by="lanhdao1").status_code == 422
    assert desk.dossier(first["id"])["tasks"][0]["assignee"] is None


def test_the_holder_may_delegate_their_task(desk, two_dossiers):
    first, _ = two_dossiers
    task_id = desk.task_id(first["id"], "check_dossier")
    desk.post(f"/api/v1/tasks/{task_id}/claim", by="tiepnhan1")
    response = desk.post(
        f"/api/v1/tasks/{task_id}/reassign",
        {"assignee": "admin", "note": "nhờ xử lý"},
        by="tiepnhan1",
    )
    assert response.status_code == 200
    assert response.json["assignee"]["username"] == "admin"


def test_a_holder_whose_task_was_reassigned_meanwhile_gets_a_conflict_when_delegating(
    desk, two_dossiers
):
    first, _ = two_dossiers
    task_id = desk.task_id(first["id"], "check_dossier")
    url = f"/api/v1/tasks/{task_id}/reassign"
    desk.post(f"/api/v1/tasks/{task_id}/claim", by="tiepnhan1")
    taken = desk.post(url, {"assignee": "admin", "note": "gấp"}, by="lanhdao1")
    assert taken.status_code == 200

    late = desk.post(url, {"assignee": "tiepnhan1", "note": "nhờ"}, by="tiepnhan1")
    assert late.status_code == 409
    assert "you do not hold it" in late.json["detail"]
    assert desk.dossier(first["id"])["tasks"][0]["assignee"]["username"] == "admin"


def test_a_task_reads_with_its_form_and_diagram_only_within_the_province(desk, two_dossiers):
    first, _ = two_dossiers
    task_id = desk.task_id(first["id"], "check_dossier")
    task = desk.get(f"/api/v1/tasks/{task_id}", by="hotich1")
    assert task.status_code == 200
    assert task.json["form"]["components"]
    assert task.json["applicant_name"] == "Nguyễn Văn An"

    diagram = desk.get(f"/api/v1/tasks/{task_id}/diagram", by="tiepnhan1").json
    assert 'id="check_dossier"' in diagram["bpmn_xml"]
    assert diagram["element_id"] == "check_dossier"
    assert diagram["completed_elements"] == []

    assert desk.get(f"/api/v1/tasks/{task_id}", by="hotich2").status_code == 403
    assert desk.get(f"/api/v1/tasks/{task_id}/diagram", by="hotich2").status_code == 403
    assert desk.get("/api/v1/tasks/999999", by="hotich1").status_code == 404


def test_colleagues_are_the_users_of_the_tasks_role_and_unit(desk, two_dossiers):
    first, _ = two_dossiers
    task_id = desk.task_id(first["id"], "check_dossier")
    people = desk.get(f"/api/v1/tasks/{task_id}/colleagues", by="lanhdao1").json
    assert {p["username"] for p in people} == {"tiepnhan1", "admin"}


def test_api_reads_accept_the_page_session_but_writes_still_need_the_token(client, desk):
    dossier = desk.receive()
    assert client.get("/api/v1/tasks").status_code == 401
    Browser(client).login("tiepnhan1")
    assert client.get("/api/v1/tasks", query_string={"scope": "queue"}).status_code == 200
    task_id = desk.task_id(dossier["id"], "check_dossier")
    assert client.post(f"/api/v1/tasks/{task_id}/claim").status_code == 401


def test_the_diagram_marks_the_steps_done_so_far(desk):
    dossier = desk.receive()
    desk.work_newborn(dossier["id"], "check_dossier", "register_birth")
    task_id = desk.task_id(dossier["id"], "register_residence")
    diagram = desk.get(f"/api/v1/tasks/{task_id}/diagram", by="congan1").json
    assert diagram["element_id"] == "register_residence"
    assert diagram["completed_elements"] == ["check_dossier", "register_birth"]
    assert diagram["open_elements"] == ["issue_health_insurance_card", "register_residence"]


def test_a_done_task_s_diagram_marks_the_dossier_s_open_steps_not_the_done_one(desk):
    dossier = desk.receive()
    done_id = desk.task_id(dossier["id"], "check_dossier")
    desk.work_newborn(dossier["id"], "check_dossier")

    diagram = desk.get(f"/api/v1/tasks/{done_id}/diagram", by="tiepnhan1").json

    assert diagram["element_id"] == "check_dossier"
    assert diagram["completed_elements"] == ["check_dossier"]
    assert "check_dossier" not in diagram["open_elements"]
    assert diagram["open_elements"] == ["register_birth"]


def test_reading_a_done_task_gives_the_data_it_was_completed_with(desk):
    dossier = desk.receive()
    task_id = desk.task_id(dossier["id"], "check_dossier")
    open_read = desk.get(f"/api/v1/tasks/{task_id}", by="tiepnhan1")
    assert open_read.status_code == 200
    assert open_read.json["data"] is None

    submitted = {"dossier_complete": "yes", "note": "Đủ giấy tờ"}
    done = desk.complete(task_id, submitted, by="tiepnhan1")
    assert done.status_code == 200, done.json
    done_read = desk.get(f"/api/v1/tasks/{task_id}", by="tiepnhan1")

    assert done_read.json["state"] == "completed"
    assert done_read.json["data"] == submitted
