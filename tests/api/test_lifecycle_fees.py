"""Fees per procedure: the metadata rule, the amount computed at receipt, payment recorded."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine.catalogue.folders import read_folder
from engine.catalogue.procedures import publish
from engine.errors import InvalidData
from engine.rules.fees import amount_due
from engine.rules.fees import rule_problems
from tests.api.lifecycle import DATA
from tests.api.lifecycle import act
from tests.api.lifecycle import last
from tests.api.lifecycle import publish_certify_copy

CERTIFY = {
    "kind": "per_page",
    "first_pages": 2,
    "first_price": 2000,
    "next_price": 1000,
    "cap": 200000,
}


@pytest.mark.parametrize(
    ("rule", "data", "amount"),
    [
        (None, {}, None),
        ({"kind": "free"}, {"pages": 40}, 0),
        ({"kind": "fixed", "amount": 10000}, {}, 10000),
        ({"kind": "fixed", "amount": 10000}, {"copies": 3}, 10000),
        ({"kind": "fixed", "amount": 8000, "per_copy": True}, {"copies": 3}, 24000),
        (CERTIFY, {}, 2000),
        (CERTIFY, {"pages": 2}, 4000),
        (CERTIFY, {"pages": 3}, 5000),
        (CERTIFY, {"pages": 10, "copies": 2}, 24000),
        (CERTIFY, {"pages": 198}, 200000),
        (CERTIFY, {"pages": 199}, 200000),
        (CERTIFY, {"pages": 500}, 200000),
        (CERTIFY, {"pages": 500, "copies": 3}, 600000),
        ({**CERTIFY, "cap": None}, {"pages": 500}, 502000),
    ],
)
def test_the_fee_follows_the_procedures_rule(rule, data, amount):
    assert amount_due(rule, data) == amount


@pytest.mark.parametrize("data", [{"pages": 0}, {"pages": "3"}, {"copies": -1}, {"pages": True}])
def test_pages_and_copies_must_be_whole_numbers_from_one(data):
    with pytest.raises(InvalidData):
        amount_due(CERTIFY, data)


@pytest.mark.parametrize(
    "rule",
    [
        {},
        {"kind": "donation"},
        {"kind": "fixed"},
        {"kind": "fixed", "amount": -5},
        {"kind": "per_page", "first_pages": 2, "first_price": 2000},
        {"kind": "free", "amount": 1},
        {"kind": "fixed", "amount": 1, "per_copy": "yes"},
    ],
)
def test_a_malformed_rule_is_reported(rule):
    assert rule_problems(rule)


def test_valid_rules_have_no_problem():
    for rule in ({"kind": "free"}, {"kind": "fixed", "amount": 0}, CERTIFY):
        assert rule_problems(rule) == []


def test_the_fee_is_computed_at_receipt_and_recorded_when_paid(desk, new_uow, actor):
    publish_certify_copy(new_uow, actor)
    dossier = desk.receive("certify_copy", data={"pages": 5, "copies": 2})
    assert dossier["fee"] == {"amount": 14000, "paid": False, "receipt_number": None}

    unreceipted = act(desk, dossier["id"], "fee", {"paid": True}, by="tiepnhan1")
    assert unreceipted.status_code == 422
    body = {"paid": True, "receipt_number": "BL-000123"}
    assert act(desk, dossier["id"], "fee", body, by="hotich1").status_code == 403
    response = act(desk, dossier["id"], "fee", body, by="tiepnhan1")

    assert response.status_code == 200, response.json
    assert response.json["fee"] == {"amount": 14000, "paid": True, "receipt_number": "BL-000123"}
    history = desk.dossier(dossier["id"])["history"]
    fee_events = [event["detail"] for event in history if event["kind"] == "fee_recorded"]
    assert fee_events == [
        {"amount": 14000, "paid": False, "receipt_number": None},
        {"amount": 14000, "paid": True, "receipt_number": "BL-000123"},
    ]
    assert last(history, "fee_recorded")["actor"]["username"] == "tiepnhan1"


def test_the_fee_cap_applies_per_copy_at_receipt(desk, new_uow, actor):
    publish_certify_copy(new_uow, actor)
    dossier = desk.receive("certify_copy", data={"pages": 300})
    assert dossier["fee"]["amount"] == 200000


def test_bad_pages_at_receipt_are_refused(desk, new_uow, actor):
    publish_certify_copy(new_uow, actor)
    body = {
        "procedure_code": "certify_copy",
        "channel": "in_person",
        "applicant": {"full_name": "Lê Văn C", "id_number": "001234567892"},
        "data": {"pages": 0},
    }
    response = desk.post("/api/v1/dossiers", body, by="tiepnhan1")
    assert response.status_code == 422
    assert "data.pages" in response.json["errors"]


def test_a_free_procedure_has_no_fee_to_pay(desk):
    dossier = desk.receive()
    assert dossier["fee"] == {"amount": 0, "paid": False, "receipt_number": None}
    body = {"paid": True, "receipt_number": "BL-1"}
    assert act(desk, dossier["id"], "fee", body, by="tiepnhan1").status_code == 409


def test_a_fee_cannot_be_recorded_on_a_closed_dossier(desk, new_uow, actor):
    publish_certify_copy(new_uow, actor)
    dossier = desk.receive("certify_copy")
    act(desk, dossier["id"], "withdraw", {"reason": "Rút hồ sơ"}, by="tiepnhan1")
    body = {"paid": True, "receipt_number": "BL-2"}
    assert act(desk, dossier["id"], "fee", body, by="tiepnhan1").status_code == 409


def test_the_catalogue_shows_the_fee_rule_and_the_supplement_days(desk, new_uow, actor):
    publish_certify_copy(new_uow, actor)
    procedure = desk.get("/api/v1/procedures/certify_copy", by="tiepnhan1").json
    assert (procedure["fee"], procedure["supplement_days"]) == (CERTIFY, 3)
    newborn = desk.get("/api/v1/procedures/newborn_bundle", by="tiepnhan1").json
    assert (newborn["fee"], newborn["supplement_days"]) == ({"kind": "free"}, 7)


def test_a_procedure_with_a_bad_fee_rule_is_not_published(new_uow, actor):
    meta, files = read_folder(DATA / "certify_copy")
    with new_uow() as uow, pytest.raises(InvalidData) as caught:
        publish(uow, actor("thietke"), replace(meta, fee={"kind": "fixed"}), files)
    assert caught.value.errors["fee"] == ["Thiếu 'amount'."]


def test_a_fee_request_pauses_the_dossier_until_payment_then_it_resumes(desk, new_uow, actor):
    publish_certify_copy(new_uow, actor)
    dossier = desk.receive("certify_copy", data={"pages": 3})
    requested = act(desk, dossier["id"], "fee-request", {}, by="tiepnhan1")
    assert requested.status_code == 200, requested.json
    assert (requested.json["status"], requested.json["status_code"]) == ("financial_obligation", 6)
    assert requested.json["timeliness"] == "within_limit"
    assert act(desk, dossier["id"], "fee-request", {}, by="tiepnhan1").status_code == 409

    paid = act(desk, dossier["id"], "fee", {"paid": True, "receipt_number": "BL-9"}, by="tiepnhan1")

    assert paid.status_code == 200, paid.json
    assert paid.json["status"] == "received"
    changes = [
        e["detail"] for e in desk.dossier(dossier["id"])["history"] if e["kind"] == "status_changed"
    ]
    assert [(c["from"], c["to"]) for c in changes] == [
        ("received", "financial_obligation"),
        ("financial_obligation", "received"),
    ]
    assert changes[-1]["paused_working_days"] == 0


def test_a_fee_request_needs_an_unpaid_fee(desk):
    dossier = desk.receive()
    assert act(desk, dossier["id"], "fee-request", {}, by="tiepnhan1").status_code == 409
