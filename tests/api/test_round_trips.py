"""What the store's round-trip machinery promises, seen through the API: on PostgreSQL a
completion costs two round trips and a receipt three, whatever they write; a step's status change
is written once and raises the row's version, so the next command's ORM check agrees."""

from __future__ import annotations

import pytest

from api.database import EXTENSION_KEY
from engine.models import Dossier
from tests.api.journeys import APPLICANT
from tests.support.round_trips import RoundTrips

NEWBORN = {"procedure_code": "newborn_bundle", "channel": "in_person", "applicant": APPLICANT}


def test_on_postgresql_a_completion_costs_two_round_trips(app, client, login):
    engine = app.extensions[EXTENSION_KEY].kw["bind"]
    if engine.dialect.name != "postgresql":
        pytest.skip("round trips are a PostgreSQL matter (SQLite runs in the process)")
    headers = login("admin", "admin")
    dossier = client.post("/api/v1/dossiers", json=NEWBORN, headers=headers).json
    check = dossier["tasks"][0]["id"]
    answer = client.post(
        f"/api/v1/tasks/{check}/complete",
        json={"data": {"dossier_complete": "yes"}},
        headers=headers,
    )
    birth = next(t["id"] for t in answer.json["next_tasks"] if t["element_id"] == "register_birth")
    birth_data = {"birth_registration_number": "12/2025", "child_personal_id": "001225012345"}

    counter = RoundTrips(engine)
    try:
        answer = client.post(
            f"/api/v1/tasks/{birth}/complete", json={"data": birth_data}, headers=headers
        )
        counted = counter.count()
    finally:
        counter.close()

    assert answer.status_code == 200, answer.json
    # BEGIN, the locking read and the open rows; then the writes (the new task's INSERT …
    # RETURNING among them) with the COMMIT
    assert counted == 2, f"{counted} round trips"


def test_on_postgresql_a_receipt_costs_three_round_trips(app, client, login):
    engine = app.extensions[EXTENSION_KEY].kw["bind"]
    if engine.dialect.name != "postgresql":
        pytest.skip("round trips are a PostgreSQL matter (SQLite runs in the process)")
    headers = login("admin", "admin")
    client.post("/api/v1/dossiers", json=NEWBORN, headers=headers)  # caches filled

    counter = RoundTrips(engine)
    try:
        answer = client.post("/api/v1/dossiers", json=NEWBORN, headers=headers)
        counted = counter.count()
    finally:
        counter.close()

    assert answer.status_code == 201, answer.json
    # BEGIN, the day's counter, the key's check and the procedure's version; the dossier's
    # INSERT … RETURNING; its workflow, task and event rows with the COMMIT
    assert counted == 3, f"{counted} round trips"


def test_a_step_that_changes_the_status_writes_it_and_raises_the_version(client, login, new_uow):
    headers = login("admin", "admin")
    dossier = client.post("/api/v1/dossiers", json=NEWBORN, headers=headers).json
    check = dossier["tasks"][0]["id"]
    data = {"data": {"dossier_complete": "yes"}}
    answer = client.post(f"/api/v1/tasks/{check}/complete", json=data, headers=headers)
    assert answer.status_code == 200, answer.json

    with new_uow() as uow:
        row = uow.session.get_one(Dossier, dossier["id"])
        status, version = row.status, row.lock_version
    refused = client.post(
        f"/api/v1/dossiers/{dossier['id']}/refuse",
        json={"reason": "Thiếu giấy chứng sinh"},
        headers=headers,
    )

    assert (status, version) == ("processing", 2)
    assert refused.status_code == 200, refused.json  # the ORM's version check agrees
    assert refused.json["status"] == "refused"
