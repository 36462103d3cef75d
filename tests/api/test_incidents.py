"""Incidents: a designer's failing condition or script rolls the step back but is kept, with the
submitted data, for an administrator to run again once the diagram is fixed."""

from __future__ import annotations

import io
import json
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from engine.background import sweep
from engine.catalogue.folders import read_folder
from tests.api.journeys import APPLICANT
from tests.background import BPMN_DIR
from tests.background import events_of
from tests.background import open_steps
from tests.background import publish_fixture
from tests.background import receive
from tests.background import timers_of

BPMN = "newborn_bundle.bpmn"
GOOD_CONDITION = 'dossier_complete == "yes"'
TYPO_CONDITION = "dossier_complete == yes"
ENDLESS_CONDITION = (
    "sum(1 for i in range(copies) for j in range(100000) for k in range(100000)) > 0 "
    'and dossier_complete == "yes"'
)
"""Endless once the dossier asks for copies: publication's dry run has no reception data."""
CHECK = {"dossier_complete": "yes"}


@pytest.fixture
def shipped(processes_dir: Path):
    meta, files = read_folder(processes_dir / "newborn_bundle")
    return dict(meta.__dict__), files


def post_procedure(desk, metadata: dict, files: dict[str, bytes]):
    """The designer publishes these files as a procedure (multipart, as the editor sends them)."""
    return desk.client.post(
        "/api/v1/procedures",
        data={
            "metadata": json.dumps(metadata),
            "files": [(io.BytesIO(content), name) for name, content in files.items()],
        },
        content_type="multipart/form-data",
        headers=desk.headers("thietke"),
    )


def publish(desk, shipped, *edits: tuple[str, str]) -> int:
    """Publish newborn_bundle as shipped, with each (old, new) text replaced in the diagram;
    returns the version number (the shipped diagram published again is a new version too)."""
    metadata, files = shipped
    text = files[BPMN].decode()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    response = post_procedure(desk, metadata, {**files, BPMN: text.encode()})
    assert response.status_code in (200, 201), response.json
    return int(response.json["procedure"]["version"])


def check_fails(desk, dossier_id: int):
    """tiepnhan1 completes check_dossier; the step must fail with an incident."""
    task_id = desk.task_id(dossier_id, "check_dossier")
    response = desk.complete(task_id, CHECK, by="tiepnhan1")
    assert response.status_code == 409, response.json
    assert response.json["code"] == "workflow_incident"
    return task_id, response.json


def kinds(desk, dossier_id: int) -> list[str]:
    return [item["kind"] for item in desk.dossier(dossier_id, by="admin")["history"]]


def incidents(desk, **params):
    response = desk.get("/api/v1/incidents", by="admin", **params)
    assert response.status_code == 200, response.json
    return response.json


def test_a_failing_condition_changes_nothing_on_the_dossier_but_opens_an_incident(desk, shipped):
    publish(desk, shipped, (GOOD_CONDITION, TYPO_CONDITION))
    dossier = desk.receive()
    before = desk.dossier(dossier["id"], by="admin")

    task_id, problem = check_fails(desk, dossier["id"])

    assert "yes" in problem["detail"] and problem["incident_id"] > 0
    after = desk.dossier(dossier["id"], by="admin")
    assert (after["status"], after["procedure_version"]) == (before["status"], 2)
    assert [(t["id"], t["element_id"]) for t in after["tasks"]] == [(task_id, "check_dossier")]
    assert [e["kind"] for e in after["history"]] == [
        *(e["kind"] for e in before["history"]),
        "incident_opened",
    ]
    [listed] = incidents(desk)["items"]
    assert listed["id"] == problem["incident_id"]
    assert (listed["kind"], listed["state"], listed["attempts"]) == ("task_completion", "open", 1)
    assert (listed["dossier_code"], listed["element_id"]) == (dossier["code"], "check_dossier")
    assert (listed["data"], listed["submitted_by"]["username"]) == (CHECK, "tiepnhan1")
    assert (listed["procedure_code"], listed["procedure_version"]) == ("newborn_bundle", 2)
    assert "'dossier_complete == yes'" in listed["message"]
    assert "NameError: name 'yes' is not defined" in listed["message"]

    again = desk.complete(task_id, CHECK, by="tiepnhan1")
    assert again.json["incident_id"] == problem["incident_id"]
    assert incidents(desk)["items"][0]["attempts"] == 2
    assert kinds(desk, dossier["id"]).count("incident_opened") == 1


def test_only_administrators_see_and_retry_incidents(desk, shipped):
    publish(desk, shipped, (GOOD_CONDITION, TYPO_CONDITION))
    dossier = desk.receive()
    _, problem = check_fails(desk, dossier["id"])

    for user in ("tiepnhan1", "lanhdao1", "thietke"):
        assert desk.get("/api/v1/incidents", by=user).status_code == 403
        retried = desk.post(f"/api/v1/incidents/{problem['incident_id']}/retry", by=user)
        assert retried.status_code == 403
    assert incidents(desk)["total"] == 1


def test_incidents_filter_by_state_unit_and_procedure(desk, shipped):
    publish(desk, shipped, (GOOD_CONDITION, TYPO_CONDITION))
    first = desk.receive()
    second = desk.receive(by="tiepnhan2")
    check_fails(desk, first["id"])
    task_id = desk.task_id(second["id"], "check_dossier")
    assert desk.complete(task_id, CHECK, by="tiepnhan2").status_code == 409

    assert incidents(desk)["total"] == 2
    [c02] = incidents(desk, unit="C02")["items"]
    assert c02["dossier_code"] == second["code"]
    assert incidents(desk, procedure="social_allowance")["total"] == 0
    assert incidents(desk, state="resolved")["total"] == 0
    page = incidents(desk, per_page=1, page=2)
    assert (page["total"], len(page["items"])) == (2, 1)
    assert desk.get("/api/v1/incidents", by="admin", state="closed").status_code == 422


def test_retry_moves_the_dossier_to_the_fixed_version_and_completes_as_the_first_user(
    desk, shipped
):
    publish(desk, shipped, (GOOD_CONDITION, TYPO_CONDITION))
    dossier = desk.receive()
    task_id, problem = check_fails(desk, dossier["id"])
    retry_url = f"/api/v1/incidents/{problem['incident_id']}/retry"

    still_broken = desk.post(retry_url, by="admin")
    assert still_broken.status_code == 200, still_broken.json
    assert (still_broken.json["state"], still_broken.json["attempts"]) == ("open", 2)
    assert desk.dossier(dossier["id"], by="admin")["tasks"][0]["element_id"] == "check_dossier"

    assert publish(desk, shipped) == 3
    fixed = desk.post(retry_url, by="admin")

    assert fixed.status_code == 200, fixed.json
    assert (fixed.json["state"], fixed.json["resolution"]) == ("resolved", "retried")
    assert fixed.json["resolved_by"]["username"] == "admin"
    after = desk.dossier(dossier["id"], by="admin")
    assert after["procedure_version"] == 3
    assert [t["element_id"] for t in after["tasks"]] == ["register_birth"]
    events = {e["kind"]: e for e in after["history"]}
    detail = events["version_changed"]["detail"]
    assert (detail["from_version"], detail["to_version"]) == (2, 3)
    assert events["task_completed"]["actor"]["username"] == "tiepnhan1"
    assert events["task_completed"]["detail"]["data"] == CHECK
    assert events["incident_resolved"]["detail"]["incident_id"] == problem["incident_id"]
    assert incidents(desk)["total"] == 0
    assert desk.post(retry_url, by="admin").status_code == 409


def test_retry_refuses_a_new_version_that_lost_the_step_the_dossier_waits_on(desk, shipped):
    publish(desk, shipped, (GOOD_CONDITION, TYPO_CONDITION))
    dossier = desk.receive()
    _, problem = check_fails(desk, dossier["id"])
    publish(
        desk,
        shipped,
        ("check_dossier", "review_dossier"),
        ("review_dossier.form.json", "check_dossier.form.json"),
    )

    refused = desk.post(f"/api/v1/incidents/{problem['incident_id']}/retry", by="admin")

    assert refused.status_code == 409
    assert "check_dossier" in refused.json["detail"]
    after = desk.dossier(dossier["id"], by="admin")
    assert (after["procedure_version"], after["tasks"][0]["element_id"]) == (2, "check_dossier")
    [still] = incidents(desk)["items"]
    assert (still["state"], still["attempts"]) == ("open", 1)


def test_a_task_done_meanwhile_settles_its_incident_without_running_it_again(desk, shipped):
    publish(desk, shipped, (GOOD_CONDITION, TYPO_CONDITION))
    dossier = desk.receive()
    _, problem = check_fails(desk, dossier["id"])
    publish(desk, shipped)
    withdrawn = desk.post(
        f"/api/v1/dossiers/{dossier['id']}/withdraw",
        {"reason": "Công dân rút hồ sơ"},
        by="tiepnhan1",
    )
    assert withdrawn.status_code == 200, withdrawn.json

    settled = desk.post(f"/api/v1/incidents/{problem['incident_id']}/retry", by="admin")

    assert (settled.json["state"], settled.json["resolution"]) == ("resolved", "task_closed")
    assert "task_completed" not in kinds(desk, dossier["id"])


def test_an_endless_condition_becomes_an_incident_and_the_server_keeps_answering(
    app, desk, shipped
):
    publish(desk, shipped, (GOOD_CONDITION, ENDLESS_CONDITION))
    dossier = desk.receive(data={"copies": 1})
    task_id = desk.task_id(dossier["id"], "check_dossier")
    headers = desk.headers("tiepnhan1")
    desk.headers("hotich1")
    outcome = {}

    def complete() -> None:
        started = time.monotonic()
        response = app.test_client().post(
            f"/api/v1/tasks/{task_id}/complete", json={"data": CHECK}, headers=headers
        )
        outcome.update(response=response, seconds=time.monotonic() - started)

    worker = threading.Thread(target=complete)
    worker.start()
    time.sleep(0.3)
    started = time.monotonic()
    meanwhile = app.test_client().get("/api/v1/tasks", headers=desk.headers("hotich1"))
    answered_in = time.monotonic() - started
    assert worker.is_alive(), "the endless condition should still be running"
    worker.join(timeout=30)

    assert meanwhile.status_code == 200 and answered_in < 1.5
    response = outcome["response"]
    assert response.status_code == 409 and response.json["incident_id"] > 0
    assert "ScriptTimeout: the script ran longer than 2 s" in response.json["detail"]
    assert 2 <= outcome["seconds"] < 10
    assert desk.dossier(dossier["id"], by="admin")["tasks"][0]["element_id"] == "check_dossier"
    assert desk.get("/api/v1/procedures", by="tiepnhan1").status_code == 200


def test_a_failing_timer_opens_an_incident_and_retry_hands_it_back_to_the_sweep(
    desk, new_uow, actor
):
    code = publish_fixture(new_uow, actor("thietke"), "timer_broken_script")
    dossier = receive(new_uow, actor("tiepnhan1"), code)
    [timer] = timers_of(new_uow, dossier.id)
    now = timer.due_at + timedelta(minutes=1)
    assert sweep.sweep(new_uow, now=now).timer_failures == 1
    [failed] = timers_of(new_uow, dossier.id)
    assert sweep.sweep(new_uow, now=failed.next_attempt_at).timer_failures == 1  # backoff retry

    [listed] = incidents(desk)["items"]
    assert (listed["kind"], listed["timer_id"], listed["attempts"]) == ("timer", failed.id, 2)
    assert "hours_overdue" in listed["message"]
    assert len(events_of(new_uow, dossier.id, "incident_opened")) == 1

    fixed = (
        (BPMN_DIR / "timer_broken_script.bpmn")
        .read_text()
        .replace("late = hours_overdue + 1", "late = 1")
    )
    files = {
        "timer_broken_script.bpmn": fixed.encode(),
        "check_dossier.form.json": (BPMN_DIR / "check_dossier.form.json").read_bytes(),
    }
    metadata = {
        "code": code,
        "name_vi": f"Thử nghiệm {code}",
        "name_en": f"Test {code}",
        "field": "civil_status",
        "time_limit": 1,
        "process_id": code,
    }
    published = post_procedure(desk, metadata, files)
    assert published.status_code == 201, published.json

    retried = desk.post(f"/api/v1/incidents/{listed['id']}/retry", by="admin")
    assert (retried.json["state"], retried.json["resolution"]) == ("resolved", "timer_rearmed")
    [rearmed] = timers_of(new_uow, dossier.id)
    assert (rearmed.state, rearmed.attempts) == ("waiting", 0)

    assert rearmed.next_attempt_at == rearmed.due_at
    assert sweep.sweep(new_uow, now=now + timedelta(minutes=1)).timers_fired == 1
    assert open_steps(new_uow, dossier.id) == ["check_dossier", "follow_up"]


def test_a_workflow_failing_at_start_creates_no_dossier_but_keeps_the_submission(
    desk, new_uow, actor
):
    code = publish_fixture(new_uow, actor("thietke"), "script_endless")
    dossiers_before = desk.get("/api/v1/dossiers", by="admin").json["total"]
    body = {
        "procedure_code": code,
        "channel": "in_person",
        "applicant": APPLICANT,
        "data": {"copies": 1},
    }

    response = desk.post("/api/v1/dossiers", body, by="tiepnhan1")

    assert response.status_code == 409 and response.json["incident_id"] > 0
    assert "ScriptTimeout" in response.json["detail"]
    assert desk.get("/api/v1/dossiers", by="admin").json["total"] == dossiers_before
    [listed] = incidents(desk, procedure=code)["items"]
    assert (listed["kind"], listed["dossier_id"], listed["unit"]["code"]) == ("start", None, "C01")
    assert listed["data"]["applicant"] == APPLICANT
    assert listed["submitted_by"]["username"] == "tiepnhan1"
