"""BPMN constructs a designer may draw, each from one small diagram of tests/data/constructs/,
published and driven through the API: what a reception clerk and the officers see happen."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from engine.background import sweep
from engine.models import Dossier
from engine.models import Task
from engine.store.db import utcnow
from tests.api.journeys import APPLICANT


def test_a_workflow_that_ends_at_submission_gives_the_dossier_its_outcome_at_once(desk):
    assert desk.publish_construct("ends_at_submit").status_code == 201

    received = desk.receive("ends_at_submit")

    dossier = desk.dossier(received["id"])
    assert (dossier["status"], dossier["tasks"]) == ("processed", [])
    assert dossier["finished_at"] is not None


def test_a_plain_task_in_a_role_lane_is_offered_to_that_role(desk):
    assert desk.publish_construct("plain_task").status_code == 201
    dossier_id = desk.receive("plain_task")["id"]

    assert desk.inbox("lanhdao1", dossier_id, scope="queue") == ["sign"]
    assert desk.work(dossier_id, "sign", {}, by="lanhdao1") == []
    assert desk.dossier(dossier_id)["status"] == "result_returned"


def test_a_plain_task_outside_any_lane_is_refused_at_publication_naming_it(desk):
    checked = desk.publish_construct("plain_task_no_lane", validate_only=True)
    response = desk.publish_construct("plain_task_no_lane")

    assert [problem["element_id"] for problem in checked.json["problems"]] == ["sign"]
    assert response.status_code == 422, response.json
    assert [problem["element_id"] for problem in response.json["problems"]] == ["sign"]


def test_an_exclusive_split_joined_by_a_parallel_gateway_still_reaches_the_next_step(desk):
    assert desk.publish_construct("dead_end_join").status_code == 201

    dossier_id = desk.receive("dead_end_join")["id"]

    assert desk.inbox("tiepnhan1", dossier_id, scope="queue") == ["check"]


def test_an_empty_script_is_a_problem_naming_the_task_not_a_server_error(desk):
    checked = desk.publish_construct("empty_script", validate_only=True)
    refused = desk.publish_construct("empty_script")

    assert checked.status_code == 200
    assert [problem["element_id"] for problem in checked.json["problems"]] == ["compute"]
    assert refused.status_code == 422
    assert "trống" in refused.json["problems"][0]["message"]


def test_a_population_lookup_with_no_endpoint_configured_is_an_incident_not_a_server_error(desk):
    assert desk.publish_construct("service_task").status_code == 201
    body = {"procedure_code": "service_task", "channel": "in_person", "applicant": APPLICANT}

    response = desk.post("/api/v1/dossiers", body, by="tiepnhan1")

    assert response.status_code == 409, response.json
    assert response.json["incident_id"] > 0
    detail = response.json["detail"]
    assert "'ask_population_db' (Tra cứu dân cư), thao tác 'population/lookup'" in detail
    assert "set POPULATION_API_URL" in detail


def test_an_event_gateway_deadline_fires_when_the_applicant_does_not_answer(desk, new_uow):
    assert desk.publish_construct("event_gateway_deadline").status_code == 201
    dossier_id = desk.receive("event_gateway_deadline")["id"]
    desk.work(dossier_id, "ask", {}, by="tiepnhan1")

    assert desk.inbox("tiepnhan1", dossier_id, scope="queue") == []
    assert sweep.sweep(new_uow, now=utcnow() + timedelta(minutes=30)).timers_fired == 0
    assert sweep.sweep(new_uow, now=utcnow() + timedelta(hours=2)).timers_fired == 1

    assert desk.inbox("tiepnhan1", dossier_id, scope="queue") == ["refuse_late"]
    desk.work(dossier_id, "refuse_late", {}, by="tiepnhan1")
    assert desk.dossier(dossier_id)["status"] == "refused"


def test_a_refused_diagram_names_the_element_and_never_shows_a_python_repr(desk):
    association = desk.publish_construct("invalid_data_association", validate_only=True).json[
        "problems"
    ]
    store = desk.publish_construct("invalid_data_store", validate_only=True).json["problems"]

    assert [problem["element_id"] for problem in association] == ["record_fee"]
    assert [problem["element_id"] for problem in store] == ["registry_store"]
    for problem in association + store:
        assert "0x" not in problem["message"] and "<Element" not in problem["message"]
        assert "(" in problem["message"]  # Vietnamese, then English in brackets


def test_each_agency_gets_its_own_task_showing_its_item_and_all_opinions_are_kept(desk):
    assert desk.publish_construct("mi_parallel_user").status_code == 201
    agencies = ["Công an xã", "Bảo hiểm xã hội", "Tư pháp"]
    dossier_id = desk.receive("mi_parallel_user", data={"agencies": agencies})["id"]

    tasks = desk.dossier(dossier_id)["tasks"]
    assert sorted(task["item"]["value"] for task in tasks) == sorted(agencies)
    assert {task["item"]["name"] for task in tasks} == {"agency"}
    for task in tasks:
        response = desk.complete(
            task["id"], {"opinion": f"Đồng ý ({task['item']['value']})"}, by="hotich1"
        )
        assert response.status_code == 200, response.json

    [decide] = desk.dossier(dossier_id)["tasks"]
    assert (decide["element_id"], decide["item"]) == ("decide", None)


def test_the_receipt_answer_already_says_what_a_new_dossier_waits_for(desk):
    assert desk.publish_construct("message_at_start").status_code == 201

    received = desk.receive("message_at_start")

    expected = [
        {"kind": "message", "name": "payment_confirmed", "element_id": "paid", "due_at": None}
    ]
    assert received["waiting_for"] == expected
    assert desk.dossier(received["id"])["waiting_for"] == expected


def test_the_sweep_reports_a_dossier_left_waiting_on_nothing_once_and_a_retry_rechecks_it(
    desk, new_uow
):
    assert desk.publish_construct("plain_task").status_code == 201
    dossier_id = desk.receive("plain_task")["id"]
    desk.work(dossier_id, "sign", {}, by="lanhdao1")  # finished: never reported
    stuck_id = desk.receive("plain_task")["id"]
    with new_uow() as uow:  # a hand edit of the database leaves it with no open step
        uow.begin_write()
        uow.session.execute(
            update(Task).where(Task.dossier_id == stuck_id).values(state="cancelled")
        )
        uow.session.execute(
            update(Dossier).where(Dossier.id == stuck_id).values(status="processing")
        )
        uow.commit()

    assert sweep.sweep(new_uow, now=utcnow()).stalled == 1
    assert sweep.sweep(new_uow, now=utcnow()).stalled == 0  # reported once
    [incident] = desk.get("/api/v1/incidents", by="admin").json["items"]
    assert (incident["kind"], incident["dossier_id"]) == ("stalled", stuck_id)
    assert "không chờ gì" in incident["message"]

    retried = desk.post(f"/api/v1/incidents/{incident['id']}/retry", by="admin")
    assert retried.status_code == 200, retried.json
    assert (retried.json["resolved_at"], retried.json["attempts"]) == (None, 2)


def test_a_business_rule_task_naming_a_missing_decision_is_refused_naming_both(desk):
    refused = desk.publish_construct("missing_decision", decisions="sandbox_dmn")

    assert refused.status_code == 422, refused.json
    [problem] = refused.json["problems"]
    assert problem["element_id"] == "decide_fee"
    assert "no_such_decision" in problem["message"] and "fee_by_age" in problem["message"]
    assert problem["message"].startswith("Không có bảng quyết định")


def test_advice_is_given_at_validation_and_publication_without_stopping_it(desk):
    checked = desk.publish_construct("gateway_gap", validate_only=True)
    published = desk.publish_construct("gateway_gap")

    assert (checked.status_code, checked.json["problems"]) == (200, [])
    gaps = [w for w in checked.json["warnings"] if w["message"].startswith("Không nhánh nào")]
    assert [warning["element_id"] for warning in gaps] == ["route"]
    assert published.status_code == 201, published.json
    assert published.json["warnings"] == checked.json["warnings"]
    assert "copies = 2" in gaps[0]["message"]


def test_what_a_script_prints_after_a_timer_fires_is_in_the_dossier_s_history(desk, new_uow):
    assert desk.publish_construct("timer_date_cycle").status_code == 201
    appointment = (utcnow() + timedelta(hours=3)).isoformat()
    dossier_id = desk.receive(
        "timer_date_cycle", data={"appointment": appointment, "reminders": 0}
    )["id"]

    sweep.sweep(new_uow, now=utcnow() + timedelta(hours=3.1))
    sweep.sweep(new_uow, now=utcnow() + timedelta(hours=4.2))

    history = desk.dossier(dossier_id)["history"]
    printed = [
        (e["element_id"], e["detail"]["lines"]) for e in history if e["kind"] == "script_printed"
    ]
    assert printed == [("count_reminder", ["nhắc lần 1"])]
