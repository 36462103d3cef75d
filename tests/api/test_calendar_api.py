"""Deadlines over HTTP: the due-time calculator, step due times on the tasks a dossier opens, and
procedures whose limit is counted in working hours."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

import pytest

from engine.catalogue.folders import read_folder
from engine.rules.calendar import due_at
from engine.rules.calendar import due_in_hours

DUE = "/api/v1/calendar/due"


@pytest.fixture
def shipped(processes_dir: Path):
    """The newborn_bundle folder as a designer would upload it: (metadata, files)."""
    meta, files = read_folder(processes_dir / "newborn_bundle")
    return dict(meta.__dict__), files


def upload(desk, metadata, files):
    return desk.client.post(
        "/api/v1/procedures",
        data={
            "metadata": json.dumps(metadata),
            "files": [(io.BytesIO(content), name) for name, content in files.items()],
        },
        content_type="multipart/form-data",
        headers=desk.headers("thietke"),
    )


def due(desk, **params):
    return desk.get(DUE, by="tiepnhan1", **params)


def test_the_calculator_needs_a_login(client):
    response = client.get(DUE, query_string={"start": "2026-01-07T09:00:00", "working_days": 1})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param(
            {"start": "2026-02-13T10:00:00+07:00", "working_days": 1},
            "2026-02-23T17:00:00+07:00",
            id="tet_2026",
        ),
        pytest.param(
            {"start": "2026-01-09T10:00:00+07:00", "working_days": 1},
            "2026-01-12T17:00:00+07:00",
            id="weekend",
        ),
        pytest.param(
            {"start": "2026-08-21T10:00:00+07:00", "working_days": 1},
            "2026-08-22T17:00:00+07:00",
            id="make_up_saturday",
        ),
        pytest.param(
            {"start": "2026-01-07T14:59:00", "working_days": 0},
            "2026-01-07T17:00:00+07:00",
            id="same_day_before_15h_vietnam_time",
        ),
        pytest.param(
            {"start": "2026-01-07T15:00:00", "working_days": 0},
            "2026-01-08T17:00:00+07:00",
            id="next_day_from_15h_vietnam_time",
        ),
        pytest.param(
            {"start": "2026-01-07T07:59:00Z", "working_days": 0},
            "2026-01-07T17:00:00+07:00",
            id="utc_before_15h_local",
        ),
        pytest.param(
            {"start": "2026-01-07T08:00:00Z", "working_days": 0},
            "2026-01-08T17:00:00+07:00",
            id="utc_at_15h_local",
        ),
        pytest.param(
            {"start": "2026-01-09T16:00:00+07:00", "hours": 4},
            "2026-01-12T10:30:00+07:00",
            id="hours_over_a_weekend",
        ),
        pytest.param(
            {"start": "2026-01-06T10:30:00+07:00", "hours": 2},
            "2026-01-06T14:00:00+07:00",
            id="hours_over_lunch",
        ),
    ],
)
def test_the_calculator_answers_the_due_time_in_vietnam_time(desk, params, expected):
    response = due(desk, **params)
    assert response.status_code == 200, response.json
    assert response.json == {"due_at": expected}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"start": "2026-01-07T09:00:00"}, "working_days", id="no_limit"),
        pytest.param(
            {"start": "2026-01-07T09:00:00", "working_days": 1, "hours": 4}, "hours", id="both"
        ),
        pytest.param({"working_days": 1}, "start", id="no_start"),
        pytest.param({"start": "yesterday", "working_days": 1}, "start", id="not_a_time"),
        pytest.param({"start": "1990-01-01T09:00:00", "working_days": 1}, "start", id="too_old"),
        pytest.param(
            {"start": "2026-01-07T09:00:00", "working_days": -1}, "working_days", id="neg"
        ),
        pytest.param(
            {"start": "2026-01-07T09:00:00", "working_days": 366}, "working_days", id="big"
        ),
        pytest.param({"start": "2026-01-07T09:00:00", "hours": 0}, "hours", id="zero_hours"),
        pytest.param({"start": "2026-01-07T09:00:00", "days": 1}, "days", id="unknown_key"),
    ],
)
def test_bad_calculator_input_is_a_422_naming_the_field(desk, params, field):
    response = due(desk, **params)
    assert response.status_code == 422, response.json
    assert field in str(response.json)


def test_the_calculator_is_documented_in_openapi(client):
    operation = client.get("/api/v1/openapi.json").json["paths"][DUE]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"start", "working_days", "hours"}
    assert {"200", "422"} <= set(operation["responses"])


def _open_tasks(desk, dossier_id):
    return {t["element_id"]: t for t in desk.dossier(dossier_id, by="admin")["tasks"]}


def _expected_due(task, working_days):
    return due_at(datetime.fromisoformat(task["created_at"]), working_days)


def test_each_newborn_step_gets_the_due_time_of_its_own_limit(desk):
    dossier_id = desk.receive()["id"]
    limits = {
        "check_dossier": 0,
        "register_birth": 0,
        "register_residence": 7,
        "issue_health_insurance_card": 2,
        "return_results": 0,
    }
    seen = set()
    for done in (None, "check_dossier", "register_birth", "register_residence"):
        if done is not None:
            desk.work_newborn(dossier_id, done)
        if done == "register_residence":
            desk.work_newborn(dossier_id, "issue_health_insurance_card")
        for element_id, task in _open_tasks(desk, dossier_id).items():
            assert task["due_at"] is not None, element_id
            due_time = datetime.fromisoformat(task["due_at"])
            assert due_time == _expected_due(task, limits[element_id]), element_id
            assert task["due_at"].endswith("17:00:00+07:00")
            seen.add(element_id)
    assert seen == set(limits)


def test_each_social_allowance_step_gets_a_due_time(desk):
    dossier_id = desk.receive("social_allowance")["id"]
    [task] = _open_tasks(desk, dossier_id).values()
    assert task["element_id"] == "verify_beneficiary"
    assert datetime.fromisoformat(task["due_at"]) == _expected_due(task, 1)


def test_a_procedure_limit_in_working_hours_sets_the_dossier_due_time(desk, shipped):
    metadata, files = shipped
    assert metadata["time_limit_unit"] == "days"
    response = upload(desk, {**metadata, "time_limit": 4, "time_limit_unit": "hours"}, files)
    assert response.status_code == 201, response.json
    assert response.json["procedure"]["time_limit_unit"] == "hours"

    dossier = desk.receive()
    received = datetime.fromisoformat(dossier["received_at"])
    assert datetime.fromisoformat(dossier["due_at"]) == due_in_hours(received, 4)
    listed = {p["code"]: p for p in desk.get("/api/v1/procedures", by="tiepnhan1").json}
    assert (
        listed["newborn_bundle"]["time_limit"],
        listed["newborn_bundle"]["time_limit_unit"],
    ) == (
        4,
        "hours",
    )
    assert listed["social_allowance"]["time_limit_unit"] == "days"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"time_limit_unit": "weeks"}, "time_limit_unit"),
        ({"time_limit": 0, "time_limit_unit": "hours"}, "time_limit"),
        ({"time_limit": 400, "time_limit_unit": "days"}, "time_limit"),
    ],
)
def test_a_procedure_limit_outside_its_unit_is_refused(desk, shipped, changes, field):
    metadata, files = shipped
    response = upload(desk, {**metadata, **changes}, files)
    assert response.status_code == 422, response.json
    assert field in str(response.json)
