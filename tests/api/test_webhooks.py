"""Interconnection: every dossier status change is POSTed, signed, to each subscriber; a failing
subscriber is retried with backoff and the delivery log shows every attempt."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from datetime import timedelta

import pytest

from engine.background import sweep
from engine.background.senders import build_senders
from engine.store.db import utcnow
from tests.background import payload
from tests.background import subscriber


@pytest.fixture
def dispatch(new_uow):
    """`dispatch(now)` sends due notices and webhooks as the scheduler's job does."""
    senders = build_senders(None)
    return lambda now: sweep.dispatch(new_uow, senders, now=now)


def subscribe(desk, url, **extra):
    response = desk.post("/api/v1/webhooks", {"url": url, **extra}, by="admin")
    assert response.status_code == 201, response.json
    return response.json


def deliveries(desk, subscription_id):
    response = desk.get(f"/api/v1/webhooks/{subscription_id}/deliveries", by="admin")
    assert response.status_code == 200, response.json
    return response.json["items"]


def test_only_administrators_manage_webhooks(desk):
    created = desk.post("/api/v1/webhooks", {"url": "http://127.0.0.1:9/x"}, by="tiepnhan1")
    listed = desk.get("/api/v1/webhooks", by="lanhdao1")

    assert (created.status_code, listed.status_code) == (403, 403)


def test_a_subscription_needs_an_http_or_https_url(desk):
    response = desk.post("/api/v1/webhooks", {"url": "file:///etc/passwd"}, by="admin")

    assert response.status_code == 422
    assert "url" in response.json["errors"]


def test_each_status_change_is_posted_signed_with_the_subscription_secret(app, desk):
    with subscriber(200) as hook:
        created = subscribe(desk, hook.url, description="Cổng dịch vụ công tỉnh")
        assert len(created["secret"]) == 64
        dossier = desk.receive()

        result = app.test_cli_runner().invoke(args=["sweep"])

    assert result.exit_code == 0, result.output
    assert "dispatch:" in result.output
    [request] = hook.received
    signature = hmac.new(created["secret"].encode(), request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-MotCua-Signature"] == f"sha256={signature}"
    assert payload(request) == {
        "event": "dossier.status_changed",
        "dossier_id": dossier["id"],
        "code": dossier["code"],
        "status": "received",
        "status_code": 2,
        "previous_status": None,
        "previous_status_code": None,
        "at": payload(request)["at"],
    }
    assert datetime.fromisoformat(payload(request)["at"]).utcoffset() == timedelta(hours=7)
    [log] = deliveries(desk, created["id"])
    assert request["headers"]["X-MotCua-Delivery"] == str(log["id"])
    assert (log["status"], log["attempts"], log["last_response_code"]) == ("delivered", 1, 200)
    listed = desk.get("/api/v1/webhooks", by="admin").json
    assert [s["url"] for s in listed] == [hook.url]
    assert "secret" not in listed[0]


def test_a_failing_subscriber_is_retried_with_backoff_until_it_answers(desk, dispatch):
    with subscriber(503, 500, 204) as hook:
        created = subscribe(desk, hook.url, secret="a-shared-secret-of-the-province")
        desk.receive()
        now = utcnow() + timedelta(seconds=1)

        dispatch(now)
        [first] = deliveries(desk, created["id"])
        dispatch(now + timedelta(seconds=29))  # not due yet: nothing sent
        dispatch(now + timedelta(seconds=30))
        [second] = deliveries(desk, created["id"])
        dispatch(now + timedelta(seconds=30 + 59))
        dispatch(now + timedelta(seconds=30 + 60))
        [third] = deliveries(desk, created["id"])

    assert (first["status"], first["attempts"], first["last_response_code"]) == (
        "pending",
        1,
        503,
    )
    assert first["last_error"] == "HTTP 503"
    assert datetime.fromisoformat(first["next_attempt_at"]) == (now + timedelta(seconds=30))
    assert (second["attempts"], second["last_response_code"]) == (2, 500)
    assert (third["status"], third["attempts"], third["last_response_code"]) == (
        "delivered",
        3,
        204,
    )
    assert len(hook.received) == 3
    assert len({r["body"] for r in hook.received}) == 1  # the same signed body each time


def test_a_subscriber_that_never_answers_is_given_up_after_the_last_attempt(app, desk, new_uow):
    with subscriber(500) as hook:
        created = subscribe(desk, hook.url)
        desk.receive()
        now = utcnow() + timedelta(seconds=1)
        senders = build_senders(None)
        settings = sweep.DispatchSettings(webhook_max_attempts=2)
        for _ in range(3):
            sweep.dispatch(new_uow, senders, now=now, settings=settings)
            now += timedelta(hours=1)

    [log] = deliveries(desk, created["id"])
    assert (log["status"], log["attempts"], log["next_attempt_at"]) == ("failed", 2, None)
    assert len(hook.received) == 2


def test_removing_a_subscription_cancels_what_it_has_not_received(desk, dispatch):
    with subscriber(200) as hook:
        created = subscribe(desk, hook.url)
        desk.receive()

        removed = desk.client.delete(
            f"/api/v1/webhooks/{created['id']}", headers=desk.headers("admin")
        )
        dispatch(utcnow() + timedelta(seconds=1))

    assert removed.status_code == 204
    assert hook.received == []
    [log] = deliveries(desk, created["id"])
    assert log["status"] == "cancelled"
    assert desk.get("/api/v1/webhooks", by="admin").json[0]["active"] is False
    missing = desk.client.delete("/api/v1/webhooks/999999", headers=desk.headers("admin"))
    assert missing.status_code == 404
