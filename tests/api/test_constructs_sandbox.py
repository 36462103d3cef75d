"""Scripts, conditions and decision tables as a designer writes them, each from one small
diagram of tests/data/constructs/ published and driven through the API: the script helpers,
`print` into the dossier's history (or its incident), a DMN `?` test, a gateway deciding on a
data object."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.api.journeys import APPLICANT
from tests.api.journeys import Desk

CONSTRUCTS = Path(__file__).resolve().parent.parent / "data" / "constructs"


def publish(desk: Desk, process_id: str) -> None:
    """Upload the construct's diagram, with its decision table when it has one."""
    response = desk.publish_construct(process_id)
    assert response.status_code == 201, response.json


def submit(desk: Desk, process_id: str, **data: Any) -> Any:
    body = {"procedure_code": process_id, "channel": "in_person", "applicant": APPLICANT}
    return desk.post("/api/v1/dossiers", {**body, "data": data}, by="tiepnhan1")


def printed(desk: Desk, dossier_id: int) -> list[tuple[str, list[str]]]:
    history = desk.dossier(dossier_id)["history"]
    return [
        (e["element_id"], e["detail"]["lines"]) for e in history if e["kind"] == "script_printed"
    ]


def test_script_helpers_compute_and_print_into_the_dossier_history(desk):
    publish(desk, "sandbox_helpers")
    dossier_id = submit(desk, "sandbox_helpers").json["id"]

    assert printed(desk, dossier_id) == [
        (
            "compute",
            [
                "hạn: 2026-03-09",
                "phí: 25001.00",
                "trang: 4",
                "mở cửa: 07:30:00 nhận lúc: 2026-03-02T07:30:00",
                'tóm tắt: {"fee": "25001.00", "due": "2026-03-09"}',
                "có ghi chú: False có người nộp: True",
            ],
        )
    ]
    desk.work(dossier_id, "check", {}, by="tiepnhan1")

    assert printed(desk, dossier_id)[1:] == [
        (
            "recheck",
            ["phí + 1: 25002.00 hạn + 1: 2026-03-10", "mở cửa: 7 nhận lúc: 2026-03-02T08:30:00"],
        )
    ]
    assert desk.dossier(dossier_id)["status"] == "processed"


def test_what_a_failing_script_printed_is_in_its_incident(desk):
    publish(desk, "sandbox_print_fails")

    response = submit(desk, "sandbox_print_fails")

    assert response.status_code == 409, response.json
    assert "name 'rate' is not defined" in response.json["detail"]
    assert f"compute_fee: tính phí cho {APPLICANT['full_name']}" in response.json["detail"]


def test_a_decision_table_tests_the_input_with_a_question_mark(desk):
    publish(desk, "sandbox_dmn")

    child = submit(desk, "sandbox_dmn", age=3)
    adult = submit(desk, "sandbox_dmn", age=30)

    assert child.status_code == adult.status_code == 201, (child.json, adult.json)
    assert desk.dossier(child.json["id"])["status"] == "processed"
    assert desk.inbox("tiepnhan1", adult.json["id"], scope="queue") == ["collect_fee"]


def test_a_gateway_decides_on_a_data_object(desk):
    publish(desk, "sandbox_data_object")

    large = submit(desk, "sandbox_data_object", amount=2_000_000)
    small = submit(desk, "sandbox_data_object", amount=2)

    assert large.status_code == small.status_code == 201, (large.json, small.json)
    assert desk.inbox("lanhdao1", large.json["id"], scope="queue") == ["approve"]
    assert desk.dossier(small.json["id"])["status"] == "processed"
