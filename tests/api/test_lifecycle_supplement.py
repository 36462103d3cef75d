"""Supplement requests: at reception or during processing, the applicant's answer, the paused
clock moving the due date, and expiry refusing the dossier."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from engine.dossiers.supplements import EXPIRY_REASON
from engine.dossiers.supplements import expire
from engine.dossiers.supplements import expiring
from engine.dossiers.supplements import record_supplement
from engine.dossiers.supplements import request_supplement
from engine.rules import calendar
from tests.api.lifecycle import REASON
from tests.api.lifecycle import act
from tests.api.lifecycle import kinds
from tests.api.lifecycle import last
from tests.api.lifecycle import open_tasks_anywhere

ITEMS = ["Giấy chứng sinh (bản chính)", "Tờ khai đăng ký khai sinh"]
MONDAY = datetime.fromisoformat("2026-03-09T09:00:00+07:00")
THURSDAY = datetime.fromisoformat("2026-03-12T10:30:00+07:00")
"""Three working days apart (10, 11, 12 March 2026), no holiday between."""


def ask(desk, dossier_id, *, by="tiepnhan1"):
    return act(desk, dossier_id, "supplement-request", {"reason": REASON, "items": ITEMS}, by=by)


def test_reception_asks_for_a_supplement_and_the_applicant_gets_seven_working_days(desk):
    dossier = desk.receive()
    response = ask(desk, dossier["id"])

    assert response.status_code == 200, response.json
    waiting = response.json
    assert (waiting["status"], waiting["status_code"]) == ("supplement_requested", 5)
    assert waiting["timeliness"] == "within_limit"
    assert waiting["supplement"]["items"] == ITEMS
    requested = datetime.fromisoformat(waiting["supplement"]["requested_at"])
    assert waiting["supplement"]["applicant_due_at"] == (
        calendar.due_at(requested, 7).astimezone(calendar.LOCAL_TZ).isoformat()
    )
    history = desk.dossier(dossier["id"])["history"]
    assert last(history, "supplement_requested")["detail"] == {
        "reason": REASON,
        "items": ITEMS,
        "applicant_due_at": waiting["supplement"]["applicant_due_at"],
    }
    assert last(history, "status_changed")["detail"] == {
        "from": "received",
        "to": "supplement_requested",
        "reason": REASON,
    }


def test_the_answer_resumes_the_dossier_where_it_was(desk):
    dossier = desk.receive()
    ask(desk, dossier["id"])
    body = {"note": "Công dân đã nộp bản chính", "data": {"birth_certificate": "GCS-0042"}}

    response = act(desk, dossier["id"], "supplement", body, by="tiepnhan1")

    assert response.status_code == 200, response.json
    assert response.json["status"] == "received"
    assert response.json["supplement"] is None
    assert response.json["paused_days"] == 0
    assert response.json["due_at"] == dossier["due_at"]
    history = desk.dossier(dossier["id"])["history"]
    assert last(history, "supplement_received")["detail"] == {**body, "paused_working_days": 0}
    assert last(history, "status_changed")["detail"] == {
        "from": "supplement_requested",
        "to": "received",
    }
    assert desk.work(dossier["id"], "check_dossier", {"dossier_complete": "yes"}, by="tiepnhan1")


def test_the_specialist_holding_a_task_asks_during_processing(desk):
    dossier_id = desk.receive()["id"]
    desk.work(dossier_id, "check_dossier", {"dossier_complete": "yes"}, by="tiepnhan1")

    response = ask(desk, dossier_id, by="hotich1")

    assert response.status_code == 200, response.json
    assert response.json["status"] == "supplement_requested"
    register_birth = desk.task_id(dossier_id, "register_birth")
    refused = desk.complete(register_birth, {"birth_registration_number": "1"}, by="hotich1")
    assert refused.status_code == 409
    answer = act(desk, dossier_id, "supplement", {"note": "", "data": {}}, by="hotich1")
    assert answer.json["status"] == "processing"


def test_only_staff_of_the_dossier_may_ask_for_a_supplement(desk):
    dossier_id = desk.receive()["id"]
    for outsider in ("ldxh1", "hotich1", "tiepnhan2"):
        assert ask(desk, dossier_id, by=outsider).status_code == 403, outsider
    assert desk.dossier(dossier_id)["status"] == "received"


def test_a_supplement_request_needs_a_reason_and_items(desk):
    dossier_id = desk.receive()["id"]
    for body in ({"reason": REASON, "items": []}, {"reason": "", "items": ITEMS}, {"items": ITEMS}):
        response = act(desk, dossier_id, "supplement-request", body, by="tiepnhan1")
        assert response.status_code == 422, body


def test_asking_twice_or_answering_when_nothing_was_asked_is_a_conflict(desk):
    dossier_id = desk.receive()["id"]
    nothing_asked = act(desk, dossier_id, "supplement", {"note": "x"}, by="tiepnhan1")
    assert nothing_asked.status_code == 409
    assert "Được tiếp nhận" in nothing_asked.json["detail"]
    ask(desk, dossier_id)
    assert ask(desk, dossier_id).status_code == 409


def test_a_dossier_is_asked_for_a_supplement_once_unless_the_setting_allows_more(app, desk):
    dossier_id = desk.receive()["id"]
    assert ask(desk, dossier_id).status_code == 200
    answered = act(desk, dossier_id, "supplement", {"note": "đủ"}, by="tiepnhan1")
    assert answered.status_code == 200

    again = ask(desk, dossier_id)
    assert again.status_code == 409
    assert "không được yêu cầu thêm" in again.json["detail"]
    assert desk.dossier(dossier_id)["status"] == "received"

    app.config["MAX_SUPPLEMENT_REQUESTS"] = 2
    assert ask(desk, dossier_id).status_code == 200


def test_the_pause_moves_the_due_date_by_the_working_days_waited(desk, new_uow, actor):
    dossier = desk.receive()
    staff = actor("tiepnhan1")
    old_due = datetime.fromisoformat(dossier["due_at"])
    with new_uow() as uow:
        request_supplement(uow, staff, dossier["id"], reason=REASON, items=ITEMS, now=MONDAY)
    with new_uow() as uow:
        resumed = record_supplement(uow, staff, dossier["id"], note="đủ", data={}, now=THURSDAY)

    assert resumed.paused_days == 3
    assert resumed.due_at == calendar.extend(old_due, 3)
    assert resumed.original_due_at == resumed.due_at
    assert resumed.due_at > old_due
    history = desk.dossier(dossier["id"])["history"]
    assert last(history, "supplement_received")["detail"]["paused_working_days"] == 3


def test_a_dossier_not_supplemented_in_time_is_refused_with_the_reason(desk, new_uow, actor):
    dossier_id = desk.receive()["id"]
    desk.work(dossier_id, "check_dossier", {"dossier_complete": "yes"}, by="tiepnhan1")
    with new_uow() as uow:
        waiting = request_supplement(
            uow, actor("hotich1"), dossier_id, reason=REASON, items=ITEMS, now=MONDAY
        )
    deadline = waiting.supplement.applicant_due_at
    assert deadline == calendar.due_at(MONDAY, 7)

    with new_uow() as uow:
        assert expire(uow, dossier_id=dossier_id, now=deadline) is False
    with new_uow() as uow:
        assert dossier_id not in expiring(uow.session, now=deadline)
        assert dossier_id in expiring(uow.session, now=deadline + timedelta(minutes=1))
    with new_uow() as uow:
        assert expire(uow, dossier_id=dossier_id, now=deadline + timedelta(minutes=1)) is True
    with new_uow() as uow:
        assert expire(uow, dossier_id=dossier_id, now=deadline + timedelta(days=1)) is False

    refused = desk.dossier(dossier_id)
    assert (refused["status"], refused["status_code"]) == ("refused", 3)
    assert refused["finished_at"] is not None
    assert last(refused["history"], "refused")["detail"] == {"reason": EXPIRY_REASON}
    assert last(refused["history"], "status_changed")["detail"]["reason"] == EXPIRY_REASON
    assert "task_cancelled" in kinds(refused["history"])
    assert open_tasks_anywhere(desk, dossier_id) == []


def test_the_citizen_tracking_the_dossier_reads_which_papers_and_by_when(desk, client):
    dossier = desk.receive()
    waiting = ask(desk, dossier["id"]).json

    tracked = client.get(
        "/api/v1/tracking", query_string={"code": dossier["code"], "key": dossier["lookup_key"]}
    )
    page = client.get(
        "/tra-cuu", query_string={"code": dossier["code"], "key": dossier["lookup_key"]}
    ).get_data(as_text=True)

    assert tracked.status_code == 200, tracked.json
    assert tracked.json["supplement"]["items"] == ITEMS
    assert (
        tracked.json["supplement"]["applicant_due_at"] == waiting["supplement"]["applicant_due_at"]
    )
    assert 'data-testid="tracking-supplement"' in page
    assert all(item in page for item in ITEMS)
