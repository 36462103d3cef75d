"""BPMN constructs a designer may draw, each from one small diagram of tests/data/constructs/,
published and driven through the API: what a reception clerk and the officers see happen."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from engine.background import sweep
from engine.store.db import utcnow
from tests.api.journeys import APPLICANT
from tests.api.journeys import Desk

CONSTRUCTS = Path(__file__).resolve().parent.parent / "data" / "constructs"


def publish(desk: Desk, process_id: str, *, validate_only: bool = False) -> Any:
    """Upload the construct's diagram (and the shared form) as the designer does."""
    metadata = {
        "code": process_id,
        "name_vi": f"Thử {process_id}",
        "name_en": f"Test {process_id}",
        "field": "civil_status",
        "time_limit": 5,
        "process_id": process_id,
    }
    files = {
        f"{process_id}.bpmn": (CONSTRUCTS / f"{process_id}.bpmn").read_bytes(),
        "opinion.form.json": (CONSTRUCTS / "opinion.form.json").read_bytes(),
    }
    path = "/api/v1/procedures/validate" if validate_only else "/api/v1/procedures"
    return desk.client.post(
        path,
        data={
            "metadata": json.dumps(metadata),
            "files": [(io.BytesIO(content), name) for name, content in files.items()],
        },
        content_type="multipart/form-data",
        headers=desk.headers("thietke"),
    )


def test_a_workflow_that_ends_at_submission_gives_the_dossier_its_outcome_at_once(desk):
    assert publish(desk, "ends_at_submit").status_code == 201

    received = desk.receive("ends_at_submit")

    dossier = desk.dossier(received["id"])
    assert (dossier["status"], dossier["tasks"]) == ("processed", [])
    assert dossier["finished_at"] is not None


def test_a_plain_task_in_a_role_lane_is_offered_to_that_role(desk):
    assert publish(desk, "plain_task").status_code == 201
    dossier_id = desk.receive("plain_task")["id"]

    assert desk.inbox("lanhdao1", dossier_id, scope="queue") == ["sign"]
    assert desk.work(dossier_id, "sign", {}, by="lanhdao1") == []
    assert desk.dossier(dossier_id)["status"] == "result_returned"


def test_a_plain_task_outside_any_lane_is_refused_at_publication_naming_it(desk):
    checked = publish(desk, "plain_task_no_lane", validate_only=True)
    response = publish(desk, "plain_task_no_lane")

    assert [problem["element_id"] for problem in checked.json["problems"]] == ["sign"]
    assert response.status_code == 422, response.json
    assert [problem["element_id"] for problem in response.json["problems"]] == ["sign"]


def test_an_exclusive_split_joined_by_a_parallel_gateway_still_reaches_the_next_step(desk):
    assert publish(desk, "dead_end_join").status_code == 201

    dossier_id = desk.receive("dead_end_join")["id"]

    assert desk.inbox("tiepnhan1", dossier_id, scope="queue") == ["check"]


def test_an_empty_script_is_a_problem_naming_the_task_not_a_server_error(desk):
    checked = publish(desk, "empty_script", validate_only=True)
    refused = publish(desk, "empty_script")

    assert checked.status_code == 200
    assert [problem["element_id"] for problem in checked.json["problems"]] == ["compute"]
    assert refused.status_code == 422
    assert "trống" in refused.json["problems"][0]["message"]


def test_a_population_lookup_with_no_endpoint_configured_is_an_incident_not_a_server_error(desk):
    assert publish(desk, "service_task").status_code == 201
    body = {"procedure_code": "service_task", "channel": "in_person", "applicant": APPLICANT}

    response = desk.post("/api/v1/dossiers", body, by="tiepnhan1")

    assert response.status_code == 409, response.json
    assert response.json["incident_id"] > 0
    detail = response.json["detail"]
    assert "'ask_population_db' (Tra cứu dân cư), thao tác 'population/lookup'" in detail
    assert "set POPULATION_API_URL" in detail


def test_an_event_gateway_deadline_fires_when_the_applicant_does_not_answer(desk, new_uow):
    assert publish(desk, "event_gateway_deadline").status_code == 201
    dossier_id = desk.receive("event_gateway_deadline")["id"]
    desk.work(dossier_id, "ask", {}, by="tiepnhan1")

    assert desk.inbox("tiepnhan1", dossier_id, scope="queue") == []
    assert sweep.sweep(new_uow, now=utcnow() + timedelta(minutes=30)).timers_fired == 0
    assert sweep.sweep(new_uow, now=utcnow() + timedelta(hours=2)).timers_fired == 1

    assert desk.inbox("tiepnhan1", dossier_id, scope="queue") == ["refuse_late"]
    desk.work(dossier_id, "refuse_late", {}, by="tiepnhan1")
    assert desk.dossier(dossier_id)["status"] == "refused"
