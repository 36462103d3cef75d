"""Monthly social allowance over HTTP: eligibility, then approval or refusal with a reason."""

from __future__ import annotations

import pytest

ELIGIBLE = {"beneficiary_group": "elderly_80", "verified_in_population_db": True, "eligible": "yes"}
APPROVE = {"decision": "approve", "monthly_amount": 540000, "start_month": "2026-03"}
REFUSE = {"decision": "refuse", "refusal_reason": "Đang hưởng lương hưu hằng tháng"}


@pytest.fixture
def allowance(desk):
    """A social allowance dossier received at C01; its id."""
    dossier = desk.receive("social_allowance")
    assert [task["element_id"] for task in dossier["tasks"]] == ["verify_beneficiary"]
    assert dossier["tasks"][0]["role"] == "labour_social"
    return dossier["id"]


@pytest.fixture
def decision_pending(desk, allowance):
    """The dossier waiting for the labour officer's decision (`process_dossier`)."""
    assert desk.work(allowance, "verify_beneficiary", ELIGIBLE, by="ldxh1") == [
        "guide_online_submission"
    ]
    assert desk.work(
        allowance, "guide_online_submission", {"submission_channel": "assisted"}, by="tiepnhan1"
    ) == ["process_dossier"]
    return allowance


def test_a_person_not_eligible_is_refused_at_once(desk, allowance):
    not_eligible = {"beneficiary_group": "disabled", "eligible": "no", "note": "Không thuộc diện"}
    assert desk.work(allowance, "verify_beneficiary", not_eligible, by="ldxh1") == []
    dossier = desk.dossier(allowance)
    assert (dossier["status"], dossier["tasks"]) == ("refused", [])
    assert dossier["finished_at"] is not None


def test_an_approved_allowance_ends_with_the_result_returned(desk, decision_pending):
    assert desk.inbox("ldxh1", decision_pending) == ["process_dossier"]
    assert desk.work(decision_pending, "process_dossier", APPROVE, by="ldxh1") == ["return_result"]
    postal = {
        "delivery_method": "postal",
        "postal_address": "Thôn Đông",
        "tracking_number": "EB1VN",
    }
    assert desk.work(decision_pending, "return_result", postal, by="tiepnhan1") == []

    dossier = desk.dossier(decision_pending)
    assert (dossier["status"], dossier["tasks"]) == ("result_returned", [])
    assert dossier["finished_at"] is not None
    steps = [e["element_id"] for e in dossier["history"] if e["kind"] == "task_completed"]
    assert steps == [
        "verify_beneficiary",
        "guide_online_submission",
        "process_dossier",
        "return_result",
    ]


def test_a_refused_allowance_ends_refused_after_the_refusal_is_handed_over(desk, decision_pending):
    assert desk.work(decision_pending, "process_dossier", REFUSE, by="ldxh1") == ["return_refusal"]
    assert desk.inbox("tiepnhan1", decision_pending) == ["return_refusal"]
    assert (
        desk.work(
            decision_pending, "return_refusal", {"delivery_method": "in_person"}, by="tiepnhan1"
        )
        == []
    )

    dossier = desk.dossier(decision_pending)
    assert (dossier["status"], dossier["tasks"]) == ("refused", [])
    decided = next(
        e
        for e in dossier["history"]
        if e["element_id"] == "process_dossier" and e["kind"] == "task_completed"
    )
    assert decided["detail"]["data"] == REFUSE


def test_a_refusal_needs_a_reason(desk, decision_pending):
    task_id = desk.task_id(decision_pending, "process_dossier")
    response = desk.complete(task_id, {"decision": "refuse"}, by="ldxh1")
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert list(response.json["errors"]) == ["refusal_reason"]
    assert desk.inbox("ldxh1", decision_pending) == ["process_dossier"]


def test_an_approval_needs_no_reason_but_an_amount(desk, decision_pending):
    task_id = desk.task_id(decision_pending, "process_dossier")
    response = desk.complete(task_id, {"decision": "approve", "start_month": "2026-03"}, by="ldxh1")
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["monthly_amount"]
    assert desk.complete(task_id, APPROVE, by="ldxh1").status_code == 200


def test_a_reason_sent_with_an_approval_is_not_kept(desk, decision_pending):
    desk.work(decision_pending, "process_dossier", {**APPROVE, "refusal_reason": "x"}, by="ldxh1")
    history = desk.dossier(decision_pending)["history"]
    decided = next(
        e for e in history if e["element_id"] == "process_dossier" and e["kind"] == "task_completed"
    )
    assert decided["detail"]["data"] == APPROVE
