"""Messages from other agencies' systems (`POST /api/v1/messages`, the demo account `lienthong`)
and the pools of a collaboration, driven through the API on the construct diagrams: the answer
reaches the dossier waiting for it and only that one, once; each step may be served by another
worker that parses the diagram afresh."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from engine.background import sweep
from engine.store.db import utcnow
from tests.api.journeys import Desk

SENDER = "lienthong"


def send(desk: Desk, name: str, correlation: dict[str, Any], **body: Any) -> Any:
    message = {"name": name, "correlation": correlation, "message_id": "m-1", **body}
    return desk.post("/api/v1/messages", message, by=SENDER)


def received(desk: Desk, dossier_id: int) -> list[dict[str, Any]]:
    return [e for e in desk.dossier(dossier_id)["history"] if e["kind"] == "message_received"]


def test_a_correlated_answer_moves_its_dossier_once_and_no_other(desk, workers):
    assert desk.publish_construct("message_verification").status_code == 201
    first, second = (desk.receive("message_verification")["id"] for _ in range(2))
    for dossier_id in (first, second):
        workers().work(dossier_id, "check", {}, by="tiepnhan1")
    code = desk.dossier(first)["code"]
    assert desk.dossier(first)["waiting_for"] == [
        {
            "kind": "message",
            "name": "verification_answer",
            "element_id": "wait_answer",
            "due_at": None,
        }
    ]

    wrong = send(workers(), "verification_answer", {"dossier_code": "C01-000000-9999"})
    answer = send(
        workers(), "verification_answer", {"dossier_code": code}, payload={"verified": True}
    )
    again = send(
        workers(), "verification_answer", {"dossier_code": code}, payload={"verified": True}
    )

    assert wrong.status_code == 404, wrong.json
    assert wrong.mimetype == "application/problem+json"
    assert answer.status_code == 200, answer.json
    [delivery] = answer.json["deliveries"]
    assert (delivery["dossier_code"], delivery["elements"]) == (code, ["wait_answer"])
    assert answer.json["replayed"] is False
    assert again.status_code == 200, again.json
    assert again.json["deliveries"] == answer.json["deliveries"]
    assert again.json["replayed"] is True
    assert desk.inbox("hotich1", first) == ["register"]
    assert desk.dossier(first)["waiting_for"] == []
    assert [e["detail"]["payload"] for e in received(desk, first)] == [{"verified": True}]
    assert received(desk, second) == []
    assert desk.dossier(second)["tasks"] == []
    assert len(desk.dossier(second)["waiting_for"]) == 1


def test_the_answer_s_payload_decides_the_path(desk):
    assert desk.publish_construct("message_verification").status_code == 201
    dossier_id = desk.receive("message_verification")["id"]
    desk.work(dossier_id, "check", {}, by="tiepnhan1")
    code = desk.dossier(dossier_id)["code"]

    answer = send(desk, "verification_answer", {"dossier_code": code}, payload={"verified": False})

    assert answer.status_code == 200, answer.json
    assert desk.inbox("tiepnhan1", dossier_id) == ["refuse_unverified"]
    assert desk.inbox("hotich1", dossier_id) == []


def test_a_message_id_used_again_for_another_message_is_refused(desk):
    assert desk.publish_construct("message_verification").status_code == 201
    first, second = (desk.receive("message_verification")["id"] for _ in range(2))
    for dossier_id in (first, second):
        desk.work(dossier_id, "check", {}, by="tiepnhan1")
    codes = [desk.dossier(dossier_id)["code"] for dossier_id in (first, second)]

    assert (
        send(
            desk, "verification_answer", {"dossier_code": codes[0]}, payload={"verified": True}
        ).status_code
        == 200
    )
    reused = send(
        desk, "verification_answer", {"dossier_code": codes[1]}, payload={"verified": True}
    )

    assert reused.status_code == 409, reused.json
    assert received(desk, second) == []


def test_an_answer_the_diagram_cannot_take_moves_nothing_and_may_be_sent_again(desk):
    """The gateway after the receive task reads `answer["verified"]`: without it the step fails,
    nothing of the dossier moves, the message is kept in an incident naming the receive task,
    and the corrected message with the same id goes through and settles the incident."""
    assert desk.publish_construct("message_verification").status_code == 201
    dossier_id = desk.receive("message_verification")["id"]
    desk.work(dossier_id, "check", {}, by="tiepnhan1")
    code = desk.dossier(dossier_id)["code"]

    broken = send(desk, "verification_answer", {"dossier_code": code}, payload={"note": "?"})
    after_broken = desk.dossier(dossier_id)
    fixed = send(desk, "verification_answer", {"dossier_code": code}, payload={"verified": True})

    assert broken.status_code == 409, broken.json
    assert code in broken.json["detail"]
    assert [e for e in after_broken["history"] if e["kind"] == "message_received"] == []
    assert (len(after_broken["waiting_for"]), after_broken["tasks"]) == (1, [])
    incident = desk.get(f"/api/v1/incidents/{broken.json['incident_id']}", by="admin").json
    assert (incident["kind"], incident["element_id"], incident["dossier_id"]) == (
        "message",
        "wait_answer",
        dossier_id,
    )
    assert "KeyError" in incident["message"] and "verified" in incident["message"]
    assert fixed.status_code == 200, fixed.json
    assert fixed.json["replayed"] is False
    assert desk.inbox("hotich1", dossier_id) == ["register"]
    assert len(received(desk, dossier_id)) == 1
    settled = desk.get(f"/api/v1/incidents/{incident['id']}", by="admin").json
    assert settled["resolution"] == "message_delivered"


def test_a_kept_message_is_delivered_by_the_retry_once_the_diagram_is_fixed(desk):
    assert desk.publish_construct("message_verification").status_code == 201
    dossier_id = desk.receive("message_verification")["id"]
    desk.work(dossier_id, "check", {}, by="tiepnhan1")
    code = desk.dossier(dossier_id)["code"]
    broken = send(desk, "verification_answer", {"dossier_code": code}, payload={"note": "?"})
    incident_id = broken.json["incident_id"]
    failed_again = desk.post(f"/api/v1/incidents/{incident_id}/retry", by="admin").json
    fix = ('answer["verified"] == True', 'answer.get("verified", True) == True')
    assert desk.publish_construct("message_verification", changed=fix).status_code == 201

    retried = desk.post(f"/api/v1/incidents/{incident_id}/retry", by="admin")

    assert (failed_again["resolved_at"], failed_again["attempts"]) == (None, 2)
    assert retried.status_code == 200, retried.json
    assert retried.json["resolution"] == "retried"
    assert desk.inbox("hotich1", dossier_id) == ["register"]
    [delivered] = received(desk, dossier_id)
    assert delivered["detail"]["payload"] == {"note": "?"}


def test_a_conversation_s_answer_must_name_what_its_request_carried(desk):
    """The request sent at the check fixed the conversation's key (request_number): the answer is
    for the dossier only with that number, not by its code."""
    assert desk.publish_construct("message_conversation").status_code == 201
    dossier_id = desk.receive("message_conversation")["id"]
    desk.work(dossier_id, "check", {"request_number": "XM-0007"}, by="tiepnhan1")
    code = desk.dossier(dossier_id)["code"]

    by_code = send(desk, "verification_answer", {"dossier_code": code})
    other_number = send(desk, "verification_answer", {"request_number": "XM-0008"})
    answer = send(desk, "verification_answer", {"request_number": "XM-0007"})

    assert (by_code.status_code, other_number.status_code) == (404, 404)
    assert answer.status_code == 200, answer.json
    assert desk.inbox("hotich1", dossier_id) == ["register"]


def test_the_event_gateway_takes_the_applicant_s_answer_before_its_deadline(desk, new_uow):
    assert desk.publish_construct("event_gateway_deadline").status_code == 201
    dossier_id = desk.receive("event_gateway_deadline")["id"]
    desk.work(dossier_id, "ask", {}, by="tiepnhan1")
    waiting = desk.dossier(dossier_id)
    assert [w["kind"] for w in waiting["waiting_for"]] == ["message", "timer"]
    assert [w["element_id"] for w in waiting["waiting_for"]] == ["supplied", "deadline"]
    assert [w["name"] for w in waiting["waiting_for"]] == ["supplement_received", "Hết hạn bổ sung"]

    answer = send(desk, "supplement_received", {"dossier_code": waiting["code"]})

    assert answer.status_code == 200, answer.json
    assert answer.json["deliveries"][0]["elements"] == ["supplied"]
    assert desk.inbox("tiepnhan1", dossier_id, scope="queue") == ["check_supplement"]
    assert desk.dossier(dossier_id)["waiting_for"] == []
    assert sweep.sweep(new_uow, now=utcnow() + timedelta(hours=2)).timers_fired == 0
    assert desk.inbox("tiepnhan1", dossier_id, scope="queue") == ["check_supplement"]


def test_after_the_deadline_the_gateway_no_longer_takes_the_answer(desk, new_uow):
    assert desk.publish_construct("event_gateway_deadline").status_code == 201
    dossier_id = desk.receive("event_gateway_deadline")["id"]
    desk.work(dossier_id, "ask", {}, by="tiepnhan1")
    assert sweep.sweep(new_uow, now=utcnow() + timedelta(hours=2)).timers_fired == 1

    late = send(desk, "supplement_received", {"dossier_code": desk.dossier(dossier_id)["code"]})

    assert late.status_code == 404, late.json
    assert desk.dossier(dossier_id)["waiting_for"] == []
    assert desk.inbox("tiepnhan1", dossier_id, scope="queue") == ["refuse_late"]


def test_the_pools_of_a_collaboration_run_together_in_one_dossier(desk, workers):
    """The commune's pool asks the police's pool, which its message starts; the police's answer
    lets the commune's pool go on. Each step is served by another worker, parsing afresh."""
    assert desk.publish_construct("message_collaboration").status_code == 201
    dossier_id = workers().receive("message_collaboration")["id"]
    assert workers().inbox("congan1", dossier_id) == []

    assert workers().work(dossier_id, "check", {}, by="tiepnhan1") == ["verify_residence"]
    waiting = workers().dossier(dossier_id)
    assert [w["name"] for w in waiting["waiting_for"]] == ["residence_answer"]
    assert workers().work(dossier_id, "verify_residence", {"resident": True}, by="congan1") == [
        "register"
    ]
    assert workers().work(dossier_id, "register", {}, by="hotich1") == []

    finished = workers().dossier(dossier_id)
    assert (finished["status"], finished["tasks"], finished["waiting_for"]) == (
        "result_returned",
        [],
        [],
    )
    steps = [e["element_id"] for e in finished["history"] if e["kind"] == "task_completed"]
    assert steps == ["check", "verify_residence", "register"]


def test_a_second_dossier_of_a_collaboration_does_not_start_the_other_pool_early(desk):
    """SpiffWorkflow starts the police's pool by changing the diagram it was given; ours is
    shared by every dossier, so a dossier received after another's request must not see it."""
    assert desk.publish_construct("message_collaboration").status_code == 201
    first = desk.receive("message_collaboration")["id"]
    desk.work(first, "check", {}, by="tiepnhan1")

    second = desk.receive("message_collaboration")["id"]

    assert desk.inbox("congan1", second) == []
    assert desk.dossier(second)["waiting_for"] == []
    assert desk.inbox("congan1", first) == ["verify_residence"]


def test_only_an_external_system_delivers_and_it_reads_no_dossier(desk):
    assert desk.publish_construct("message_verification").status_code == 201
    dossier_id = desk.receive("message_verification")["id"]
    desk.work(dossier_id, "check", {}, by="tiepnhan1")
    code = desk.dossier(dossier_id)["code"]
    body = {"name": "verification_answer", "correlation": {"dossier_code": code}, "message_id": "x"}

    by_clerk = desk.post("/api/v1/messages", body, by="tiepnhan1")
    reading = desk.get(f"/api/v1/dossiers/{dossier_id}", by=SENDER)

    assert by_clerk.status_code == 403, by_clerk.json
    assert reading.status_code == 403, reading.json
    assert desk.dossier(dossier_id)["tasks"] == []


def test_a_signal_from_another_system_reaches_the_dossier_waiting_for_it(desk, workers):
    assert desk.publish_construct("signal_from_outside").status_code == 201
    dossier_id = desk.receive("signal_from_outside")["id"]
    workers().work(dossier_id, "check", {}, by="tiepnhan1")
    code = desk.dossier(dossier_id)["code"]
    waiting = desk.dossier(dossier_id)["waiting_for"]

    as_message = send(workers(), "fee_paid_online", {"dossier_code": code})
    signal = send(
        workers(),
        "fee_paid_online",
        {"dossier_code": code},
        kind="signal",
        payload={"amount": 50000},
        message_id="s-1",
    )

    assert waiting == [
        {"kind": "signal", "name": "fee_paid_online", "element_id": "paid", "due_at": None}
    ]
    assert as_message.status_code == 404, as_message.json
    assert signal.status_code == 200, signal.json
    assert signal.json["deliveries"][0]["elements"] == ["paid"]
    assert desk.inbox("tiepnhan1", dossier_id) == ["issue"]
    [event] = [e for e in desk.dossier(dossier_id)["history"] if e["kind"] == "signal_received"]
    assert event["detail"]["payload"] == {"amount": 50000}


def test_after_a_move_to_a_new_version_the_dossier_waits_as_that_version_says(desk):
    """The designer renamed the awaited message in version 2; the incident's retry moves the
    dossier onto it: the old name no longer reaches it, the new one does."""
    assert desk.publish_construct("message_verification").status_code == 201
    dossier_id = desk.receive("message_verification")["id"]
    desk.work(dossier_id, "check", {}, by="tiepnhan1")
    code = desk.dossier(dossier_id)["code"]
    broken = send(desk, "verification_answer", {"dossier_code": code}, payload={"note": "?"})
    renamed = ('name="verification_answer"', 'name="verification_result"')
    assert desk.publish_construct("message_verification", changed=renamed).status_code == 201

    retried = desk.post(f"/api/v1/incidents/{broken.json['incident_id']}/retry", by="admin")
    old_name = send(desk, "verification_answer", {"dossier_code": code}, payload={"verified": True})
    new_name = desk.post(
        "/api/v1/messages",
        {
            "name": "verification_result",
            "correlation": {"dossier_code": code},
            "payload": {"verified": True},
            "message_id": "m-2",
        },
        by=SENDER,
    )

    assert retried.json["resolution"] == "task_closed"  # it no longer waits for that name
    assert [w["name"] for w in desk.dossier(dossier_id)["waiting_for"]] == []
    assert old_name.status_code == 404, old_name.json
    assert new_name.status_code == 200, new_name.json
    assert desk.inbox("hotich1", dossier_id) == ["register"]
