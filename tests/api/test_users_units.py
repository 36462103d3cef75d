"""Units of the province, and accounts the administrator creates."""

from __future__ import annotations

import pytest

from tests.api.journeys import NEWBORN_STEPS

NEW_OFFICER = {
    "username": "hotich1b",
    "password": "mat-khau-du-dai",
    "full_name": "Lý Thị Thu",
    "roles": [{"role": "civil_status", "unit": "C01"}],
}


def test_units_list_the_province_and_its_communes(desk):
    units = desk.get("/api/v1/units", by="tiepnhan1").json
    assert [(u["code"], u["kind"], u["parent_code"]) for u in units] == [
        ("P01", "province", None),
        ("C01", "commune", "P01"),
        ("C02", "commune", "P01"),
    ]
    assert units[1]["name"] == "Xã Tân Hòa"


def test_a_user_created_by_the_admin_logs_in_and_works_the_tasks_of_their_role(desk, login):
    created = desk.post("/api/v1/users", NEW_OFFICER, by="admin")
    assert created.status_code == 201, created.json
    assert created.json["username"] == "hotich1b"
    assert created.json["roles"] == [{"role": "civil_status", "unit": "C01"}]
    assert "password" not in created.json

    headers = login("hotich1b", "mat-khau-du-dai")
    me = desk.client.get("/api/v1/auth/me", headers=headers).json
    assert (me["username"], [g["role"] for g in me["grants"]]) == ("hotich1b", ["civil_status"])

    dossier_id = desk.receive()["id"]
    inbox = desk.client.get("/api/v1/tasks", headers=headers).json
    assert inbox["total"] == 0
    desk.work_newborn(dossier_id, "check_dossier")
    inbox = desk.client.get("/api/v1/tasks", headers=headers).json
    assert [t["element_id"] for t in inbox["items"]] == ["register_birth"]

    task_id = inbox["items"][0]["id"]
    data = NEWBORN_STEPS["register_birth"][1]
    done = desk.client.post(
        f"/api/v1/tasks/{task_id}/complete", json={"data": data}, headers=headers
    )
    assert done.status_code == 200
    history = desk.dossier(dossier_id)["history"]
    [birth] = [
        e for e in history if (e["kind"], e["element_id"]) == ("task_completed", "register_birth")
    ]
    assert birth["actor"]["username"] == "hotich1b"


@pytest.mark.parametrize("username", ["tiepnhan1", "thietke", "lanhdao1"])
def test_only_the_administrator_creates_users(desk, client, username):
    response = desk.post("/api/v1/users", NEW_OFFICER, by=username)
    assert response.status_code == 403
    assert response.json["code"] == "forbidden"
    login = client.post(
        "/api/v1/auth/login", json={"username": "hotich1b", "password": "mat-khau-du-dai"}
    )
    assert login.status_code == 401


def test_a_taken_username_is_refused(desk, client):
    response = desk.post("/api/v1/users", {**NEW_OFFICER, "username": "hotich1"}, by="admin")
    assert response.status_code == 409
    assert response.json["code"] == "conflict"
    old_password = client.post(
        "/api/v1/auth/login", json={"username": "hotich1", "password": "demo"}
    )
    assert old_password.status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"password": "short"}, "password"),
        ({"username": "Has Space"}, "username"),
        ({"roles": []}, "roles"),
        ({"roles": [{"role": "wizard", "unit": "C01"}]}, "roles"),
        ({"roles": [{"role": "civil_status", "unit": "C99"}]}, "roles"),
        ({"is_admin": True}, "is_admin"),
    ],
)
def test_an_invalid_user_is_refused_naming_the_field(desk, change, field):
    response = desk.post("/api/v1/users", {**NEW_OFFICER, **change}, by="admin")
    assert response.status_code == 422
    assert list(response.json["errors"]) == [field]
