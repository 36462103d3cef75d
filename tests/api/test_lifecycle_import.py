"""Dossiers submitted on another portal come in through the API; the idempotency key makes a
retry, even a simultaneous one, return the same dossier."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from tests.api.journeys import APPLICANT

IMPORT = "/api/v1/dossiers/import"


def body(key: str = "dvcqg-2026-000123", **extra):
    return {
        "idempotency_key": key,
        "source_system": "dvcqg",
        "external_code": "G22.99-260302-0001",
        "procedure_code": "newborn_bundle",
        "applicant": APPLICANT,
        "channel": "online",
        "unit": "C01",
        "data": {"child_name": "Nguyễn Văn Bình"},
        "submitted_at": "2026-03-02T08:15:00+07:00",
        **extra,
    }


def test_the_first_import_creates_the_dossier_and_a_retry_returns_it(desk):
    first = desk.post(IMPORT, body(), by="tiepnhan1")
    again = desk.post(IMPORT, body(), by="tiepnhan1")

    assert first.status_code == 201, first.json
    assert again.status_code == 200, again.json
    assert again.json["id"] == first.json["id"]
    assert again.json["lookup_key"] == first.json["lookup_key"]
    dossier = first.json
    assert (dossier["status"], dossier["channel"]) == ("received", "online")
    assert [task["element_id"] for task in dossier["tasks"]] == ["check_dossier"]
    received = desk.dossier(dossier["id"])["history"][0]
    assert received["detail"]["source_system"] == "dvcqg"
    assert received["detail"]["external_code"] == "G22.99-260302-0001"
    listed = desk.get("/api/v1/dossiers", by="tiepnhan1").json
    assert [item["id"] for item in listed["items"]].count(dossier["id"]) == 1


def test_another_key_is_another_dossier(desk):
    first = desk.post(IMPORT, body("key-1"), by="tiepnhan1").json
    second = desk.post(IMPORT, body("key-2", external_code="X-2"), by="tiepnhan1").json
    assert first["id"] != second["id"]


def test_a_key_reused_for_another_external_dossier_is_a_conflict(desk):
    desk.post(IMPORT, body(), by="tiepnhan1")
    clash = desk.post(IMPORT, body(external_code="G22.99-260302-0002"), by="tiepnhan1")
    assert clash.status_code == 409


def test_an_import_is_checked_like_a_submission(desk):
    assert desk.post(IMPORT, body(channel="fax"), by="tiepnhan1").status_code == 422
    missing = body()
    del missing["idempotency_key"]
    assert desk.post(IMPORT, missing, by="tiepnhan1").status_code == 422
    assert desk.post(IMPORT, body(), by="hotich1").status_code == 403
    unknown = desk.post(IMPORT, body(procedure_code="nothing_here"), by="tiepnhan1")
    assert unknown.status_code == 404


@pytest.mark.committed
def test_two_simultaneous_imports_with_one_key_make_one_dossier(app, desk):
    headers = desk.headers("tiepnhan1")
    racers = 2
    barrier = Barrier(racers)

    def import_once(_: int):
        own_client = app.test_client()
        barrier.wait()
        response = own_client.post(IMPORT, json=body("race-key"), headers=headers)
        return response.status_code, response.json["id"]

    with ThreadPoolExecutor(racers) as pool:
        results = list(pool.map(import_once, range(racers)))

    assert sorted(code for code, _ in results) == [200, 201]
    assert len({dossier_id for _, dossier_id in results}) == 1
    listed = desk.get("/api/v1/dossiers", by="tiepnhan1").json
    assert listed["total"] == 1
