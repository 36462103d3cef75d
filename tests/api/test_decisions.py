"""The studio's "try it" panel for decision tables: the table answers as a business rule task
would on a dossier, and says in words why it cannot."""

from __future__ import annotations

from tests.api.journeys import CONSTRUCTS

TABLES = {"sandbox_dmn.dmn": (CONSTRUCTS / "sandbox_dmn.dmn").read_text()}


def evaluate(desk, inputs, decision_id="fee_by_age"):
    body = {"files": TABLES, "decision_id": decision_id, "inputs": inputs}
    return desk.post("/api/v1/decisions/evaluate", body, by="thietke")


def test_the_table_answers_each_side_of_its_boundary(desk):
    answers = [evaluate(desk, {"age": age}) for age in (5, 6)]

    assert [answer.status_code for answer in answers] == [200, 200]
    assert [answer.json["outputs"] for answer in answers] == [
        {"fee_class": "free"},
        {"fee_class": "paid"},
    ]


def test_a_missing_input_or_decision_is_refused_in_words(desk):
    missing_input = evaluate(desk, {})
    missing_decision = evaluate(desk, {"age": 5}, decision_id="fee_by_pages")

    assert missing_input.status_code == 422, missing_input.json
    assert "fee_by_age" in missing_input.json["detail"] and "age" in missing_input.json["detail"]
    assert missing_decision.status_code == 422, missing_decision.json
    [problem] = missing_decision.json["problems"]
    assert "fee_by_pages" in problem["message"] and "fee_by_age" in problem["message"]
