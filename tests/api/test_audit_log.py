"""The audit log: logins and every read of a dossier by staff leave a row; admins list them."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from engine.store.db import utcnow

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
BROWSER = "Mozilla/5.0 (X11; Linux) kiem-tra"


def audit(desk, **filters):
    response = desk.get("/api/v1/audit", by="admin", **filters)
    assert response.status_code == 200, response.json
    return response.json


def entries(desk, **filters):
    return [
        (e["action"], e["username"], e["target_type"], e["detail"])
        for e in audit(desk, per_page=100, **filters)["items"]
    ]


def test_logins_are_logged_with_the_username_tried_the_address_and_the_browser(client, desk):
    headers = {"User-Agent": BROWSER}
    for username, password in (("hotich1", "sai"), ("khong_co_ai", "x"), ("hotich1", "demo")):
        client.post(
            "/api/v1/auth/login",
            json={"username": username, "password": password},
            headers=headers,
            environ_base={"REMOTE_ADDR": "10.1.2.3"},
        )
    page = audit(desk, action="login_failed")
    assert [e["username"] for e in page["items"]] == ["khong_co_ai", "hotich1"]
    assert {(e["ip"], e["user_agent"], e["user_id"]) for e in page["items"]} == {
        ("10.1.2.3", BROWSER, None)
    }
    [succeeded] = [e for e in audit(desk, user="hotich1")["items"] if e["ip"] == "10.1.2.3"][:1]
    assert succeeded["action"] == "login_succeeded"
    assert succeeded["user_id"] is not None


@pytest.fixture
def storage(app, tmp_path):
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")


def test_every_kind_of_dossier_read_leaves_a_row_with_the_dossiers_unit(desk, storage):
    dossier = desk.receive()
    dossier_id = dossier["id"]
    assert entries(desk, dossier=dossier_id) == [], "receiving is not a read"
    uploaded = desk.client.post(
        f"/api/v1/dossiers/{dossier_id}/attachments",
        data={"files": [(io.BytesIO(PDF), "to-khai.pdf")]},
        headers=desk.headers("tiepnhan1"),
        content_type="multipart/form-data",
    )
    [attachment] = uploaded.json
    task_id = dossier["tasks"][0]["id"]

    reads = {
        f"/api/v1/dossiers/{dossier_id}": 200,
        f"/api/v1/dossiers/{dossier_id}/notices": 200,
        f"/api/v1/tasks/{task_id}": 200,
        f"/api/v1/dossiers/{dossier_id}/slips/01": 200,
        f"/api/v1/dossiers/{dossier_id}/attachments": 200,
        f"/api/v1/attachments/{attachment['id']}": 200,
    }
    for url, status in reads.items():
        response = desk.get(url, by="hotich1")
        assert response.status_code == status, url
        response.close()

    assert sorted(entries(desk, dossier=dossier_id)) == [
        ("attachment_opened", "hotich1", "attachment", "to-khai.pdf"),
        ("attachments_listed", "hotich1", "attachments", None),
        ("dossier_viewed", "hotich1", "dossier", None),
        ("notices_listed", "hotich1", "dossier", None),
        ("slip_printed", "hotich1", "slip", "form 01, html"),
        ("task_viewed", "hotich1", "task", None),
    ]
    items = audit(desk, dossier=dossier_id)["items"]
    assert {e["unit"] for e in items} == {"C01"}
    assert {e["dossier_id"] for e in items} == {dossier_id}
    opened = next(e for e in items if e["action"] == "attachment_opened")
    assert opened["target_id"] == attachment["id"]


def test_a_refused_read_leaves_no_read_row(desk):
    dossier = desk.receive()
    assert desk.get(f"/api/v1/dossiers/{dossier['id']}", by="hotich2").status_code == 403
    assert entries(desk, dossier=dossier["id"]) == []


def test_the_log_filters_by_user_action_and_time_and_pages(desk):
    dossier = desk.receive()
    for username in ("hotich1", "tiepnhan1", "hotich1"):
        desk.dossier(dossier["id"], by=username)

    assert [e[1] for e in entries(desk, dossier=dossier["id"], user="hotich1")] == [
        "hotich1",
        "hotich1",
    ]
    first = audit(desk, dossier=dossier["id"], action="dossier_viewed", per_page=2)
    assert (first["total"], len(first["items"]), first["page"]) == (3, 2, 1)
    second = audit(desk, dossier=dossier["id"], action="dossier_viewed", per_page=2, page=2)
    assert [e["username"] for e in second["items"]] == ["hotich1"], "oldest last"

    past = (utcnow() - timedelta(hours=1)).isoformat()
    future = (utcnow() + timedelta(hours=1)).isoformat()
    assert audit(desk, dossier=dossier["id"], **{"from": past, "to": future})["total"] == 3
    assert audit(desk, dossier=dossier["id"], **{"from": future})["total"] == 0
    assert audit(desk, dossier=dossier["id"], to=past)["total"] == 0


@pytest.mark.parametrize("username", ["hotich1", "lanhdao1", "thietke"])
def test_only_administrators_read_the_log(desk, username):
    response = desk.get("/api/v1/audit", by=username)
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


def test_an_unknown_filter_or_action_is_refused(desk):
    assert desk.get("/api/v1/audit", by="admin", usr="hotich1").status_code == 422
    assert desk.get("/api/v1/audit", by="admin", action="dossier_eaten").status_code == 422
    far_past = {"from": "0001-01-01T00:00:00+07:00"}
    assert desk.get("/api/v1/audit", by="admin", **far_past).status_code == 422


def test_the_openapi_document_describes_the_log(client):
    operation = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/audit"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"user", "dossier", "action", "from", "to", "page", "per_page"} <= names
    assert {"200", "403"} <= set(operation["responses"])


def test_dossier_api_answers_and_documents_are_never_cached(desk, storage):
    dossier = desk.receive()
    [attachment] = desk.client.post(
        f"/api/v1/dossiers/{dossier['id']}/attachments",
        data={"files": [(io.BytesIO(PDF), "to-khai.pdf")]},
        headers=desk.headers("tiepnhan1"),
        content_type="multipart/form-data",
    ).json
    for url in (
        f"/api/v1/dossiers/{dossier['id']}",
        f"/api/v1/dossiers/{dossier['id']}/slips/01",
        f"/api/v1/attachments/{attachment['id']}",
    ):
        response = desk.get(url, by="hotich1")
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
        response.close()
