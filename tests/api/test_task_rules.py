"""Who may work a task, and what a refused request leaves behind: nothing."""

from __future__ import annotations

import pytest

from tests.api.journeys import NEWBORN_STEPS

BIRTH = NEWBORN_STEPS["register_birth"][1]


@pytest.fixture
def at_birth_registration(desk):
    """A C01 newborn dossier whose next step is `register_birth` (civil status); its id."""
    dossier_id = desk.receive()["id"]
    desk.work_newborn(dossier_id, "check_dossier")
    return dossier_id


def snapshot(desk, dossier_id):
    """What a refused request must leave unchanged: status, open tasks and the whole history."""
    dossier = desk.dossier(dossier_id, by="admin")
    return dossier["status"], dossier["tasks"], dossier["history"]


def test_a_user_without_the_tasks_role_is_refused_and_nothing_changes(desk, at_birth_registration):
    task_id = desk.task_id(at_birth_registration, "register_birth")
    before = snapshot(desk, at_birth_registration)
    for username in ("tiepnhan1", "congan1", "lanhdao1", "thietke"):
        response = desk.complete(task_id, BIRTH, by=username)
        assert response.status_code == 403, username
        assert response.json["code"] == "forbidden"
        assert desk.post(f"/api/v1/tasks/{task_id}/claim", by=username).status_code == 403
    assert snapshot(desk, at_birth_registration) == before
    assert desk.inbox("hotich1", at_birth_registration) == ["register_birth"]


def test_a_task_completed_twice_is_refused_the_second_time(desk):
    dossier_id = desk.receive()["id"]
    task_id = desk.task_id(dossier_id, "check_dossier")
    assert desk.complete(task_id, {"dossier_complete": "yes"}, by="tiepnhan1").status_code == 200
    before = snapshot(desk, dossier_id)
    again = desk.complete(task_id, {"dossier_complete": "no", "missing_items": "x"}, by="tiepnhan1")
    assert again.status_code == 409
    assert again.json["code"] == "conflict"
    assert snapshot(desk, dossier_id) == before
    assert desk.post(f"/api/v1/tasks/{task_id}/claim", by="tiepnhan1").status_code == 409


def test_a_claimed_task_cannot_be_claimed_or_completed_by_someone_else(desk):
    dossier_id = desk.receive()["id"]
    task_id = desk.task_id(dossier_id, "check_dossier")
    claimed = desk.post(f"/api/v1/tasks/{task_id}/claim", by="tiepnhan1")
    assert claimed.status_code == 200
    assert claimed.json["assignee"]["username"] == "tiepnhan1"
    before = snapshot(desk, dossier_id)

    assert desk.post(f"/api/v1/tasks/{task_id}/claim", by="admin").status_code == 409
    taken = desk.complete(task_id, {"dossier_complete": "yes"}, by="admin")
    assert taken.status_code == 409
    assert snapshot(desk, dossier_id) == before
    assert desk.complete(task_id, {"dossier_complete": "yes"}, by="tiepnhan1").status_code == 200


def test_claiming_ones_own_task_again_changes_nothing(desk):
    dossier_id = desk.receive()["id"]
    task_id = desk.task_id(dossier_id, "check_dossier")
    first = desk.post(f"/api/v1/tasks/{task_id}/claim", by="tiepnhan1")
    before = snapshot(desk, dossier_id)
    second = desk.post(f"/api/v1/tasks/{task_id}/claim", by="tiepnhan1")
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json == first.json
    assert snapshot(desk, dossier_id) == before
    claims = [e for e in before[2] if e["kind"] == "task_claimed"]
    assert [(e["actor"]["username"], e["element_id"]) for e in claims] == [
        ("tiepnhan1", "check_dossier")
    ]
    assert desk.inbox("tiepnhan1", scope="mine") == ["check_dossier"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"child_personal_id": "001226000015"}, "birth_registration_number"),
        ({**BIRTH, "birth_registration_number": ""}, "birth_registration_number"),
        ({**BIRTH, "child_personal_id": "12345"}, "child_personal_id"),
        ({**BIRTH, "child_personal_id": "00122600001A"}, "child_personal_id"),
        ({**BIRTH, "father_name": "Nguyễn Văn Ba"}, "father_name"),
        ({**BIRTH, "birth_registration_number": 15}, "birth_registration_number"),
        ({**BIRTH, "note": ["not", "text"]}, "note"),
        ({**BIRTH, "birth_registration_number": "1" * 31}, "birth_registration_number"),
    ],
    ids=[
        "missing_required",
        "empty_required",
        "pattern_too_short",
        "pattern_letter",
        "unknown_field",
        "number_for_text",
        "list_for_text",
        "too_long",
    ],
)
def test_invalid_form_data_is_refused_naming_the_field_and_nothing_changes(
    desk, at_birth_registration, data, field
):
    task_id = desk.task_id(at_birth_registration, "register_birth")
    before = snapshot(desk, at_birth_registration)
    response = desk.complete(task_id, data, by="hotich1")
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert list(response.json["errors"]) == [field]
    assert response.json["errors"][field]
    assert snapshot(desk, at_birth_registration) == before
    assert desk.complete(task_id, BIRTH, by="hotich1").status_code == 200


@pytest.mark.parametrize("body", [{"data": "text"}, {"data": [BIRTH]}, {}, {"data": BIRTH, "x": 1}])
def test_a_complete_request_without_a_data_object_is_refused(desk, at_birth_registration, body):
    task_id = desk.task_id(at_birth_registration, "register_birth")
    before = snapshot(desk, at_birth_registration)
    response = desk.post(f"/api/v1/tasks/{task_id}/complete", body, by="hotich1")
    assert response.status_code == 422
    assert response.json["errors"]
    assert snapshot(desk, at_birth_registration) == before


def test_another_commune_cannot_read_the_dossier_nor_see_or_work_its_tasks(
    desk, at_birth_registration
):
    dossier_id = at_birth_registration
    for username in ("hotich2", "tiepnhan2", "lanhdao2"):
        response = desk.get(f"/api/v1/dossiers/{dossier_id}", by=username)
        assert response.status_code == 403, username
        assert response.json["code"] == "forbidden"
        assert desk.inbox(username, dossier_id) == []
        listed = desk.get("/api/v1/dossiers", by=username).json
        assert dossier_id not in [item["id"] for item in listed["items"]]
    task_id = desk.task_id(dossier_id, "register_birth")
    assert desk.complete(task_id, BIRTH, by="hotich2").status_code == 403
    assert desk.post(f"/api/v1/tasks/{task_id}/claim", by="hotich2").status_code == 403
    assert desk.dossier(dossier_id, by="admin")["id"] == dossier_id
    assert desk.get(f"/api/v1/dossiers/{dossier_id}", by="thietke").status_code == 403


def test_unknown_dossiers_and_tasks_are_not_found(desk):
    assert desk.get("/api/v1/dossiers/999999", by="tiepnhan1").status_code == 404
    assert desk.complete(999999, {}, by="tiepnhan1").status_code == 404
    assert desk.post("/api/v1/tasks/999999/claim", by="tiepnhan1").status_code == 404
    response = desk.post(
        "/api/v1/dossiers",
        {
            "procedure_code": "no_such",
            "channel": "online",
            "applicant": {"full_name": "A", "id_number": "001234567890"},
        },
        by="tiepnhan1",
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/tasks"),
        ("get", "/api/v1/dossiers"),
        ("get", "/api/v1/dossiers/1"),
        ("post", "/api/v1/dossiers"),
        ("post", "/api/v1/tasks/1/complete"),
        ("post", "/api/v1/tasks/1/claim"),
        ("get", "/api/v1/procedures"),
        ("get", "/api/v1/units"),
        ("post", "/api/v1/users"),
        ("get", "/api/v1/auth/me"),
    ],
)
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token", "Basic dGllcG5oYW4xOmRlbW8=", "Bearer "],
    ids=["none", "forged", "basic", "empty"],
)
def test_requests_without_a_valid_token_are_unauthenticated(client, method, path, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = getattr(client, method)(path, headers=headers, json={})
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == "unauthenticated"


def test_a_wrong_password_gets_no_token(client):
    for username, password in (("tiepnhan1", "wrong"), ("nobody", "demo")):
        response = client.post(
            "/api/v1/auth/login", json={"username": username, "password": password}
        )
        assert response.status_code == 401
        assert "token" not in response.json


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/tasks", {"scoop": "mine"}, "scoop"),
        ("/api/v1/tasks", {"scope": "everyone"}, "scope"),
        ("/api/v1/tasks", {"dossier_id": "abc"}, "dossier_id"),
        ("/api/v1/dossiers", {"stauts": "refused"}, "stauts"),
        ("/api/v1/dossiers", {"status": "lost"}, "status"),
        ("/api/v1/dossiers", {"per_page": 0}, "per_page"),
        ("/api/v1/dossiers", {"per_page": 101}, "per_page"),
        ("/api/v1/dossiers", {"page": 0}, "page"),
        ("/api/v1/procedures", {"feild": "land"}, "feild"),
    ],
)
def test_an_unknown_or_invalid_query_parameter_is_refused_naming_it(desk, path, params, field):
    desk.receive()
    response = desk.get(path, by="tiepnhan1", **params)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert list(response.json["errors"]) == [field]


def test_lists_are_paginated_with_the_total_count(desk):
    ids = [desk.receive()["id"] for _ in range(3)]
    first = desk.get("/api/v1/dossiers", by="tiepnhan1", per_page=2).json
    second = desk.get("/api/v1/dossiers", by="tiepnhan1", per_page=2, page=2).json
    beyond = desk.get("/api/v1/dossiers", by="tiepnhan1", per_page=2, page=3).json
    assert (first["total"], first["page"], first["per_page"]) == (3, 1, 2)
    assert (second["total"], second["page"]) == (3, 2)
    assert [d["id"] for d in first["items"] + second["items"]] == ids[::-1]
    assert (beyond["total"], beyond["items"]) == (3, [])

    tasks = desk.get("/api/v1/tasks", by="tiepnhan1", per_page=2, page=2).json
    assert (tasks["total"], len(tasks["items"])) == (3, 1)
    assert desk.get("/api/v1/tasks", by="tiepnhan1", scope="mine").json["total"] == 0
    assert desk.get("/api/v1/dossiers", by="tiepnhan2").json["total"] == 0
    assert desk.get("/api/v1/dossiers", by="admin", status="received").json["total"] == 3
    assert desk.get("/api/v1/dossiers", by="admin", status="processing").json["total"] == 0
