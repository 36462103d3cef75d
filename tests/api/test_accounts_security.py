"""Accounts security through the API: the login rate limit, token expiry, and tokens that stop
working when the password changes or the account is disabled."""

from __future__ import annotations

import time

import pytest
from itsdangerous import TimestampSigner
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import update

from api.auth import SIGNER_SALT
from api.database import EXTENSION_KEY
from engine.access.accounts import hash_password
from engine.models import User
from tests.conftest import make_app

LOGIN = "/api/v1/auth/login"
WRONG = "sai-mat-khau"


def attempt(client, username, password=WRONG, ip="127.0.0.1"):
    return client.post(
        LOGIN,
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_failed_logins_beyond_the_limit_get_429_until_the_window_passes(app, client):
    app.config.update(LOGIN_MAX_FAILURES=3, LOGIN_WINDOW_SECONDS=60)
    for _ in range(3):
        assert attempt(client, "hotich1").status_code == 401

    blocked = attempt(client, "hotich1", "demo")
    assert blocked.status_code == 429
    assert blocked.mimetype == "application/problem+json"
    assert blocked.json["code"] == "too_many_attempts"
    assert "Quá nhiều yêu cầu" in blocked.json["title"]
    assert 30 < int(blocked.headers["Retry-After"]) <= 60
    assert attempt(client, "hotich1", "demo").status_code == 429, "still blocked"

    app.config["LOGIN_WINDOW_SECONDS"] = 1  # the same failures now age out within a second
    time.sleep(1.1)
    assert attempt(client, "hotich1", "demo").status_code == 200


def test_a_successful_login_resets_the_usernames_counter(app, client):
    app.config.update(LOGIN_MAX_FAILURES=3)
    for _ in range(2):
        assert attempt(client, "hotich1").status_code == 401
    assert attempt(client, "hotich1", "demo").status_code == 200
    for _ in range(2):
        assert attempt(client, "hotich1").status_code == 401
    assert attempt(client, "hotich1", "demo").status_code == 200


def test_the_limit_holds_per_username_whatever_the_address(app, client):
    app.config.update(LOGIN_MAX_FAILURES=2)
    assert attempt(client, "hotich1", ip="10.0.0.1").status_code == 401
    assert attempt(client, "hotich1", ip="10.0.0.2").status_code == 401
    assert attempt(client, "hotich1", "demo", ip="10.0.0.3").status_code == 429
    assert attempt(client, "congan1", "demo", ip="10.0.0.3").status_code == 200


def test_the_limit_holds_per_address_across_usernames(app, client):
    app.config.update(LOGIN_MAX_FAILURES_PER_IP=3)
    for username in ("hotich1", "congan1", "khong-ton-tai"):
        assert attempt(client, username, ip="10.0.0.9").status_code == 401
    assert attempt(client, "bhxh1", "demo", ip="10.0.0.9").status_code == 429
    assert attempt(client, "bhxh1", "demo", ip="10.0.0.10").status_code == 200


def test_the_openapi_document_names_the_429(client):
    responses = client.get("/api/v1/openapi.json").json["paths"][LOGIN]["post"]["responses"]
    assert {"200", "401", "429"} <= set(responses)


def test_a_token_older_than_its_max_age_is_refused(app, client, login):
    headers = login("hotich1")
    token = headers["Authorization"].removeprefix("Bearer ")
    max_age = app.config["TOKEN_MAX_AGE_SECONDS"]

    class IssuedLongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - max_age - 60

    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=SIGNER_SALT)
    payload = serializer.loads(token)
    old = URLSafeTimedSerializer(
        app.config["SECRET_KEY"], salt=SIGNER_SALT, signer=IssuedLongAgo
    ).dumps(payload)

    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {old}"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert "expired" in response.json["detail"]


def test_a_token_accepted_before_is_refused_once_past_its_max_age(app, client, login):
    """Signatures are checked once per process; the age is not: it counts on every request."""
    headers = login("hotich1")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200

    max_age = app.config["TOKEN_MAX_AGE_SECONDS"]
    app.config["TOKEN_MAX_AGE_SECONDS"] = -1  # the same token, now older than allowed
    try:
        response = client.get("/api/v1/auth/me", headers=headers)
    finally:
        app.config["TOKEN_MAX_AGE_SECONDS"] = max_age

    assert response.status_code == 401
    assert "expired" in response.json["detail"]


def new_account(client, login, username="canbo_moi"):
    created = client.post(
        "/api/v1/users",
        json={
            "username": username,
            "password": "mat-khau-ban-dau",
            "full_name": "Cán bộ Mới",
            "roles": [{"role": "civil_status", "unit": "C01"}],
        },
        headers=login("admin", "admin"),
    )
    assert created.status_code == 201, created.json
    return login(username, "mat-khau-ban-dau")


def change_user(new_uow, username, **values):
    """What an administrator's tool does to the account row."""
    with new_uow() as uow:
        uow.session.execute(update(User).where(User.username == username).values(**values))
        uow.commit()


def test_a_token_stops_working_once_the_password_changes(app, client, login, new_uow):
    app.config["ACTOR_CACHE_SECONDS"] = 0  # else within those seconds, like a role change
    headers = new_account(client, login)
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200

    change_user(new_uow, "canbo_moi", password_hash=hash_password("mat-khau-moi"))

    response = client.get("/api/v1/auth/me", headers=headers)
    assert response.status_code == 401
    assert "password has changed" in response.json["detail"]
    fresh = login("canbo_moi", "mat-khau-moi")
    assert client.get("/api/v1/auth/me", headers=fresh).status_code == 200


def test_a_disabled_account_loses_access_once_its_cached_identity_lapses(
    app, client, login, new_uow
):
    app.config["ACTOR_CACHE_SECONDS"] = 0
    headers = new_account(client, login)
    assert client.get("/api/v1/tasks", headers=headers).status_code == 200

    change_user(new_uow, "canbo_moi", is_active=False)

    response = client.get("/api/v1/tasks", headers=headers)
    assert response.status_code == 401
    assert "disabled" in response.json["detail"]
    assert attempt(client, "canbo_moi", "mat-khau-ban-dau").status_code == 401


@pytest.fixture
def behind_proxy(app, database_url):
    """The app as deployed behind one reverse proxy (TRUSTED_PROXIES=1), on the same database."""
    proxied = make_app(database_url, TRUSTED_PROXIES=1, LOGIN_MAX_FAILURES_PER_IP=2)
    yield proxied
    proxied.extensions[EXTENSION_KEY].kw["bind"].dispose()


def forwarded(client, username, client_address):
    """A failed login relayed by the proxy at 127.0.0.1 for `client_address`."""
    return client.post(
        LOGIN,
        json={"username": username, "password": WRONG},
        headers={"X-Forwarded-For": client_address},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )


def failed_login_addresses(client, login):
    page = client.get("/api/v1/audit?action=login_failed", headers=login("admin", "admin"))
    return [entry["ip"] for entry in page.json["items"]]


def test_behind_a_trusted_proxy_limits_and_audit_go_by_the_forwarded_address(
    client, login, behind_proxy
):
    proxied = behind_proxy.test_client()
    assert forwarded(proxied, "hotich1", "10.9.8.7").status_code == 401
    assert forwarded(proxied, "congan1", "10.9.8.7").status_code == 401
    assert forwarded(proxied, "bhxh1", "10.9.8.7").status_code == 429, "that address is full"
    assert forwarded(proxied, "bhxh1", "10.9.8.8").status_code == 401, "another office's is not"
    assert set(failed_login_addresses(client, login)) == {"10.9.8.7", "10.9.8.8"}


def test_without_a_trusted_proxy_a_forged_forwarded_address_is_ignored(client, login):
    assert forwarded(client, "hotich1", "10.9.8.7").status_code == 401
    assert failed_login_addresses(client, login) == ["127.0.0.1"]
