"""Apology with a new date (form 04), and handing over the result: through the return action for
diagrams that end at `processed`, or through the diagram's own return step."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import update

from engine.models import Dossier
from tests.api.lifecycle import act
from tests.api.lifecycle import last
from tests.api.lifecycle import publish_certify_copy

ELIGIBLE = {"beneficiary_group": "elderly_80", "eligible": "yes"}
APPROVE = {"decision": "approve", "monthly_amount": 540000, "start_month": "2026-03"}
APOLOGY_REASON = "Cần xác minh thêm thông tin với cơ quan khác"


def later(moment: str, days: int = 3) -> str:
    return (datetime.fromisoformat(moment) + timedelta(days=days)).isoformat()


def apologise(desk, dossier, *, days=3, by="tiepnhan1"):
    body = {"reason": APOLOGY_REASON, "new_due_at": later(dossier["due_at"], days)}
    return act(desk, dossier["id"], "apology", body, by=by)


def test_an_apology_moves_the_due_date_and_keeps_the_original(desk):
    dossier = desk.receive()

    response = apologise(desk, dossier)

    assert response.status_code == 200, response.json
    moved = response.json
    assert moved["due_at"] == later(dossier["due_at"])
    assert moved["original_due_at"] == dossier["due_at"]
    assert moved["status"] == "received"
    assert last(desk.dossier(dossier["id"])["history"], "apology_issued")["detail"] == {
        "reason": APOLOGY_REASON,
        "old_due_at": dossier["due_at"],
        "new_due_at": moved["due_at"],
    }


def test_a_second_apology_is_refused_by_default(desk):
    dossier = desk.receive()
    moved = apologise(desk, dossier).json

    again = apologise(desk, moved)

    assert again.status_code == 409
    assert desk.dossier(dossier["id"])["due_at"] == moved["due_at"]


def test_the_number_of_apologies_is_a_setting(app, desk):
    app.config["MAX_APOLOGIES"] = 2
    dossier = desk.receive()
    moved = apologise(desk, dossier).json
    assert apologise(desk, moved).status_code == 200
    assert apologise(desk, desk.dossier(dossier["id"])).status_code == 409


def set_due(new_uow, dossier_id, due_at):
    with new_uow() as uow:
        uow.session.execute(update(Dossier).where(Dossier.id == dossier_id).values(due_at=due_at))
        uow.commit()


def test_an_apology_too_close_to_the_due_time_is_refused_where_the_rule_is_turned_on(
    app, desk, new_uow
):
    dossier = desk.receive()
    set_due(new_uow, dossier["id"], datetime.now(UTC) - timedelta(hours=1))  # overdue already
    late = desk.dossier(dossier["id"])
    assert apologise(desk, late).status_code == 200, "off by default: the citizen gets a date"

    app.config["APOLOGY_WORKING_DAYS_BEFORE_DUE"] = 1
    app.config["MAX_APOLOGIES"] = 5
    set_due(new_uow, dossier["id"], datetime.now(UTC) - timedelta(hours=1))
    refused = apologise(desk, desk.dossier(dossier["id"]))
    assert refused.status_code == 409
    assert "ít nhất 1 ngày làm việc" in refused.json["detail"]

    set_due(new_uow, dossier["id"], datetime.now(UTC) + timedelta(days=30))
    assert apologise(desk, desk.dossier(dossier["id"])).status_code == 200


@pytest.mark.parametrize("days", [0, -1])
def test_the_new_date_must_be_later_than_the_current_one(desk, days):
    dossier = desk.receive()
    assert apologise(desk, dossier, days=days).status_code == 422


def test_an_apology_date_without_offset_is_refused(desk):
    dossier = desk.receive()
    body = {"reason": APOLOGY_REASON, "new_due_at": "2030-01-01T17:00:00"}
    assert act(desk, dossier["id"], "apology", body, by="tiepnhan1").status_code == 422


def test_a_processed_dossier_waits_until_its_result_is_handed_over_by_post(desk, new_uow, actor):
    publish_certify_copy(new_uow, actor)
    dossier = desk.receive("certify_copy", data={"pages": 3})
    desk.work(dossier["id"], "certify", {"certification_number": "CT-12"}, by="hotich1")
    processed = desk.dossier(dossier["id"])
    assert (processed["status"], processed["status_code"]) == ("processed", 9)
    assert processed["finished_at"] is not None
    assert processed["returned_at"] is None
    assert processed["tasks"] == []
    assert processed["timeliness"] in ("early", "on_time")

    no_address = act(desk, dossier["id"], "return", {"method": "postal"}, by="tiepnhan1")
    assert no_address.status_code == 422
    body = {"method": "postal", "tracking_number": "EMS0001VN", "address": "Thôn Đông"}
    response = act(desk, dossier["id"], "return", body, by="tiepnhan1")

    assert response.status_code == 200, response.json
    returned = response.json
    assert (returned["status"], returned["status_code"]) == ("result_returned", 10)
    assert returned["delivery"] == body
    assert returned["returned_at"] is not None
    assert returned["finished_at"] == processed["finished_at"]
    assert last(desk.dossier(dossier["id"])["history"], "result_returned")["detail"] == body
    assert act(desk, dossier["id"], "return", body, by="tiepnhan1").status_code == 409


def test_handing_over_a_result_needs_a_processed_dossier(desk):
    dossier = desk.receive()
    response = act(desk, dossier["id"], "return", {"method": "in_person"}, by="tiepnhan1")
    assert response.status_code == 409
    assert "received" in response.json["detail"]


def test_only_reception_hands_over_a_result(desk, new_uow, actor):
    publish_certify_copy(new_uow, actor)
    dossier = desk.receive("certify_copy")
    desk.work(dossier["id"], "certify", {"certification_number": "CT-13"}, by="hotich1")
    for outsider in ("hotich1", "tiepnhan2"):
        response = act(desk, dossier["id"], "return", {"method": "electronic"}, by=outsider)
        assert response.status_code == 403, outsider
    response = act(desk, dossier["id"], "return", {"method": "electronic"}, by="tiepnhan1")
    assert response.json["delivery"] == {
        "method": "electronic",
        "tracking_number": None,
        "address": None,
    }


def test_the_diagrams_return_step_records_the_delivery_on_the_dossier(desk):
    dossier_id = desk.receive()["id"]
    desk.work_newborn(
        dossier_id,
        "check_dossier",
        "register_birth",
        "register_residence",
        "issue_health_insurance_card",
    )
    step = {"delivery_method": "postal", "tracking_number": "EMS0002VN"}
    desk.work(dossier_id, "return_results", step, by="tiepnhan1")

    returned = desk.dossier(dossier_id)
    assert returned["status"] == "result_returned"
    assert returned["delivery"] == {
        "method": "postal",
        "tracking_number": "EMS0002VN",
        "address": None,
    }
    assert returned["returned_at"] == returned["finished_at"]
    assert last(returned["history"], "result_returned")["detail"]["method"] == "postal"


def test_the_social_allowance_return_step_keeps_the_postal_address(desk):
    dossier_id = desk.receive("social_allowance")["id"]
    desk.work(dossier_id, "verify_beneficiary", ELIGIBLE, by="ldxh1")
    desk.work(
        dossier_id, "guide_online_submission", {"submission_channel": "assisted"}, by="tiepnhan1"
    )
    desk.work(dossier_id, "process_dossier", APPROVE, by="ldxh1")
    step = {"delivery_method": "postal", "postal_address": "Số 1, Thôn Tây"}
    desk.work(dossier_id, "return_result", step, by="tiepnhan1")

    assert desk.dossier(dossier_id)["delivery"] == {
        "method": "postal",
        "tracking_number": None,
        "address": "Số 1, Thôn Tây",
    }
