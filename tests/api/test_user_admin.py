"""Accounts through the API: changing one's own password, an administrator's reset, disabling and
enabling an account (its held tasks go back to the queue), and the list of users."""

from __future__ import annotations

import pytest

from tests.conftest import OFFICER_PASSWORD
from tests.pages.conftest import Browser

LOGIN = "/api/v1/auth/login"
PASSWORD = "/api/v1/auth/password"
USERS = "/api/v1/users"
FIRST = OFFICER_PASSWORD
SECOND = "mat-khau-moi-2026"


@pytest.fixture
def officer(new_officer, login):
    """canbo_moi's id and bearer headers."""
    return new_officer["id"], login("canbo_moi", FIRST)


def log_in(client, username, password):
    return client.post(LOGIN, json={"username": username, "password": password})


def audit_actions(client, login, username):
    entries = client.get(f"/api/v1/audit?user={username}", headers=login("admin", "admin"))
    return [entry["action"] for entry in entries.json["items"]]


def test_changing_my_password_ends_my_old_token_and_answers_a_new_one(client, login, officer):
    _, headers = officer
    changed = client.post(
        PASSWORD, json={"current_password": FIRST, "new_password": SECOND}, headers=headers
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["user"]["username"] == "canbo_moi"
    fresh = {"Authorization": f"Bearer {changed.json['token']}"}

    old = client.get("/api/v1/auth/me", headers=headers)
    assert old.status_code == 401
    assert "password has changed" in old.json["detail"]
    assert client.get("/api/v1/auth/me", headers=fresh).status_code == 200
    assert log_in(client, "canbo_moi", FIRST).status_code == 401
    assert log_in(client, "canbo_moi", SECOND).status_code == 200
    assert "password_changed" in audit_actions(client, login, "canbo_moi")


def test_a_wrong_current_password_changes_nothing_and_counts_as_a_failed_login(
    app, client, login, officer
):
    app.config.update(LOGIN_MAX_FAILURES=2)
    _, headers = officer
    wrong = {"current_password": "khong-dung", "new_password": SECOND}
    refused = client.post(PASSWORD, json=wrong, headers=headers)
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    assert "Mật khẩu hiện tại không đúng" in refused.json["errors"]["current_password"][0]
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200, "token kept"

    assert client.post(PASSWORD, json=wrong, headers=headers).status_code == 422
    right = {"current_password": FIRST, "new_password": SECOND}
    assert client.post(PASSWORD, json=right, headers=headers).status_code == 429
    assert log_in(client, "canbo_moi", FIRST).status_code == 429, "the same counter as logins"
    actions = audit_actions(client, login, "canbo_moi")
    assert actions.count("password_change_failed") == 2
    assert "password_change_blocked" in actions


@pytest.mark.parametrize(
    ("new_password", "message"),
    [("ngan", "8–200 ký tự"), (FIRST, "phải khác mật khẩu hiện tại")],
)
def test_a_new_password_must_be_long_enough_and_new(client, officer, new_password, message):
    _, headers = officer
    body = {"current_password": FIRST, "new_password": new_password}
    refused = client.post(PASSWORD, json=body, headers=headers)
    assert refused.status_code == 422
    assert message in str(refused.json["errors"])
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert log_in(client, "canbo_moi", FIRST).status_code == 200


def test_an_administrator_resets_a_password_and_the_users_tokens_end(client, login, officer):
    user_id, headers = officer
    url = f"{USERS}/{user_id}/password"
    not_admin = client.post(url, json={"new_password": SECOND}, headers=login("lanhdao1"))
    assert not_admin.status_code == 403

    reset = client.post(url, json={"new_password": SECOND}, headers=login("admin", "admin"))
    assert reset.status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    assert log_in(client, "canbo_moi", FIRST).status_code == 401
    assert log_in(client, "canbo_moi", SECOND).status_code == 200
    assert "password_reset" in audit_actions(client, login, "admin")


def test_a_disabled_account_is_shut_out_at_once_and_its_held_task_goes_back_to_the_queue(
    client, login, officer, desk
):
    user_id, headers = officer
    dossier = desk.receive()
    desk.work(dossier["id"], "check_dossier", {"dossier_complete": "yes"}, by="tiepnhan1")
    task_id = desk.task_id(dossier["id"], "register_birth")
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=headers).status_code == 200
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200  # identity cached

    admin = login("admin", "admin")
    disabled = client.patch(f"{USERS}/{user_id}", json={"is_active": False}, headers=admin)
    assert disabled.status_code == 200, disabled.json
    assert disabled.json["is_active"] is False

    shut_out = client.get("/api/v1/tasks", headers=headers)
    assert shut_out.status_code == 401
    assert "disabled" in shut_out.json["detail"]
    assert log_in(client, "canbo_moi", FIRST).status_code == 401
    task = desk.get(f"/api/v1/tasks/{task_id}", by="hotich1").json
    assert task["assignee"] is None, "back in the civil status queue"
    assert "register_birth" in desk.inbox("hotich1", dossier["id"])
    history = desk.dossier(dossier["id"], by="admin")["history"]
    [released] = [e for e in history if e["kind"] == "task_released"]
    assert released["actor"]["username"] == "admin"
    assert "bị khoá" in released["detail"]["note"]

    enabled = client.patch(f"{USERS}/{user_id}", json={"is_active": True}, headers=admin)
    assert enabled.json["is_active"] is True
    assert log_in(client, "canbo_moi", FIRST).status_code == 200
    actions = audit_actions(client, login, "admin")
    assert {"account_disabled", "account_enabled"} <= set(actions)


def test_an_administrator_cannot_disable_their_own_account(client, login):
    admin = login("admin", "admin")
    me = client.get("/api/v1/auth/me", headers=admin).json
    refused = client.patch(f"{USERS}/{me['user_id']}", json={"is_active": False}, headers=admin)
    assert refused.status_code == 409
    assert client.get("/api/v1/auth/me", headers=admin).status_code == 200


def test_only_administrators_change_accounts(client, login, officer):
    user_id, _ = officer
    leader = login("lanhdao1")
    assert client.get(USERS, headers=leader).status_code == 403
    body = {"is_active": False}
    assert client.patch(f"{USERS}/{user_id}", json=body, headers=leader).status_code == 403
    assert (
        client.patch(f"{USERS}/999999", json=body, headers=login("admin", "admin")).status_code
        == 404
    )


def test_the_user_list_pages_and_finds_names_without_accents(client, login, officer):
    admin = login("admin", "admin")
    first = client.get(USERS, query_string={"per_page": 5}, headers=admin).json
    assert len(first["items"]) == 5
    assert first["total"] > 5
    names = [u["username"] for u in first["items"]]
    assert names == sorted(names)
    second = client.get(USERS, query_string={"per_page": 5, "page": 2}, headers=admin).json
    assert not set(names) & {u["username"] for u in second["items"]}

    for typed in ("do thi hang", "ĐỖ THỊ", "canbo_moi"):
        found = client.get(USERS, query_string={"q": typed}, headers=admin).json
        assert [u["username"] for u in found["items"]] == ["canbo_moi"], typed
        assert found["total"] == 1
    [user] = found["items"]
    assert user["roles"] == [{"role": "civil_status", "unit": "C01"}]
    assert user["is_active"] is True

    in_c02 = client.get(USERS, query_string={"unit": "C02"}, headers=admin).json["items"]
    assert "tiepnhan2" in {u["username"] for u in in_c02}
    assert "canbo_moi" not in {u["username"] for u in in_c02}
    nobody = client.get(USERS, query_string={"q": "không có ai"}, headers=admin).json
    assert nobody == {"items": [], "total": 0, "page": 1, "per_page": 20}


def test_logging_out_of_the_api_ends_this_and_my_other_tokens_but_not_the_next_login(
    client, login, officer
):
    _, first = officer
    second = login("canbo_moi", FIRST)

    assert client.post("/api/v1/auth/logout", headers=first).status_code == 204

    for ended in (first, second):
        refused = client.get("/api/v1/auth/me", headers=ended)
        assert refused.status_code == 401
        assert "ended by a logout" in refused.json["detail"]
    assert client.post("/api/v1/auth/logout", headers=first).status_code == 401
    fresh = login("canbo_moi", FIRST)
    assert client.get("/api/v1/auth/me", headers=fresh).status_code == 200
    assert "logout" in audit_actions(client, login, "canbo_moi")


def test_an_api_logout_leaves_the_page_session_open(client, officer):
    _, headers = officer
    browser = Browser(client).login("canbo_moi", FIRST)
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert browser.get("/").status_code == 200, "the browser stays logged in"


def test_changing_roles_moves_the_user_s_work_and_the_tasks_of_a_lost_role_go_back(
    client, login, officer, desk
):
    user_id, headers = officer
    dossier = desk.receive()
    desk.work_newborn(dossier["id"], "check_dossier")
    task_id = desk.task_id(dossier["id"], "register_birth")
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=headers).status_code == 200
    admin = login("admin", "admin")

    changed = client.put(
        f"{USERS}/{user_id}/roles",
        json={"roles": [{"role": "reception", "unit": "C01"}]},
        headers=admin,
    )
    empty = client.put(f"{USERS}/{user_id}/roles", json={"roles": []}, headers=admin)
    unknown = client.put(
        f"{USERS}/{user_id}/roles",
        json={"roles": [{"role": "mayor", "unit": "C01"}]},
        headers=admin,
    )

    assert changed.status_code == 200, changed.json
    assert changed.json["roles"] == [{"role": "reception", "unit": "C01"}]
    assert desk.dossier(dossier["id"], by="admin")["tasks"][0]["assignee"] is None
    assert (empty.status_code, unknown.status_code) == (422, 422)
    assert "account_roles_changed" in audit_actions(client, login, "admin")


def test_an_administrator_cannot_take_their_own_administrator_role(client, login):
    admin = login("admin", "admin")
    [me] = client.get(USERS, query_string={"q": "admin"}, headers=admin).json["items"][:1]

    refused = client.put(
        f"{USERS}/{me['id']}/roles",
        json={"roles": [{"role": "reception", "unit": "C01"}]},
        headers=admin,
    )

    assert refused.status_code == 409, refused.json


def test_unlocking_lets_a_locked_out_user_log_in_at_once(app, client, login, officer):
    app.config.update(LOGIN_MAX_FAILURES=2)
    user_id, _ = officer
    for _ in range(2):
        assert log_in(client, "canbo_moi", "sai-mat-khau").status_code == 401
    assert log_in(client, "canbo_moi", FIRST).status_code == 429

    unlocked = client.post(f"{USERS}/{user_id}/unlock", headers=login("admin", "admin"))

    assert unlocked.status_code == 200, unlocked.json
    assert log_in(client, "canbo_moi", FIRST).status_code == 200
