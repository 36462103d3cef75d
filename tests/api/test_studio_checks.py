"""The server's checks through the API: validate and publish answer with each problem's rule,
advice beside them, a diagram the dry run finds failing is refused with the published version
untouched, and the studio's expression check."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from engine.catalogue.folders import read_folder
from tests.api.test_procedures import BPMN
from tests.api.test_procedures import current
from tests.api.test_procedures import edited
from tests.api.test_procedures import upload

CHECK = "/api/v1/procedures/check-expression"


@pytest.fixture
def shipped(processes_dir: Path):
    meta, files = read_folder(processes_dir / "newborn_bundle")
    return dict(meta.__dict__), files


def test_validation_names_each_warning_s_rule_and_element(desk, shipped):
    metadata, files = shipped
    joined = edited(  # the supplement loop back into the check without the shipped gateway
        files,
        'sourceRef="is_supplemented" targetRef="merge_check"',
        'sourceRef="is_supplemented" targetRef="check_dossier"',
    )

    checked = upload(desk, {**metadata, "time_limit": 3}, joined, validate_only=True)

    assert checked.status_code == 200, checked.json
    assert checked.json["problems"] == []
    rules = [(w["rule"], w["element_id"]) for w in checked.json["warnings"]]
    assert rules == [
        ("mot-cua/limit-sum", "register_residence"),
        ("mot-cua/no-implicit-join", "check_dossier"),
    ]
    assert "3 ngày" in checked.json["warnings"][0]["message"]


def test_a_refusal_names_its_rule_and_both_routes_agree(desk, shipped):
    metadata, files = shipped
    before = current(desk)
    wrong = edited(files, 'value="result_returned"', 'value="returned"')

    published = upload(desk, metadata, wrong)
    checked = upload(desk, metadata, wrong, validate_only=True)

    assert published.status_code == 422, published.json
    assert {(p["rule"], p["element_id"]) for p in published.json["problems"]} == {
        ("mot-cua/end-outcome", p["element_id"]) for p in published.json["problems"]
    }
    assert "'returned'" in published.json["problems"][0]["message"]
    assert checked.json["problems"] == published.json["problems"]
    assert current(desk) == before


def test_a_diagram_failing_on_its_first_dossier_is_refused_and_nothing_changes(desk, shipped):
    metadata, files = shipped
    before = current(desk)
    script = (
        '<bpmn:scriptTask id="count_pages" name="Đếm trang"><bpmn:incoming>Flow_start'
        "</bpmn:incoming><bpmn:outgoing>Flow_counted</bpmn:outgoing>"
        "<bpmn:script>pages = len(applicant) / 0</bpmn:script></bpmn:scriptTask>"
    )
    text = files[BPMN].decode()
    start_flow = _first_flow_from_start(text)
    broken = text.replace(
        f'sourceRef="{start_flow[0]}" targetRef="{start_flow[1]}"',
        f'sourceRef="{start_flow[0]}" targetRef="count_pages"',
    ).replace(
        "</bpmn:process>",
        f'{script}<bpmn:sequenceFlow id="Flow_counted" sourceRef="count_pages" '
        f'targetRef="{start_flow[1]}" /></bpmn:process>',
    )

    refused = upload(desk, metadata, {**files, BPMN: broken.encode()})

    assert refused.status_code == 422, refused.json
    [problem] = refused.json["problems"]
    assert (problem["element_id"], problem["rule"]) == ("count_pages", None)
    assert (
        "ZeroDivisionError" in problem["message"]
        and "'count_pages' [Đếm trang]" in problem["message"]
    )
    assert current(desk) == before


def _first_flow_from_start(text: str) -> tuple[str, str]:
    """(start event id, the element after it) in the shipped diagram."""
    root = etree.fromstring(text.encode())
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    start = root.find(".//bpmn:process/bpmn:startEvent", ns)
    flow = root.find(f".//bpmn:sequenceFlow[@sourceRef='{start.get('id')}']", ns)
    return start.get("id"), flow.get("targetRef")


def test_publication_answers_with_the_same_warnings_as_validation(desk, shipped):
    metadata, files = shipped
    renamed = edited(files, 'name="Đăng ký khai sinh"', 'name="Đăng ký khai sinh (v2)"')

    checked = upload(desk, {**metadata, "time_limit": 3}, renamed, validate_only=True)
    published = upload(desk, {**metadata, "time_limit": 3}, renamed)

    assert published.status_code == 201, published.json
    assert published.json["warnings"] == checked.json["warnings"]
    assert current(desk)["version"] == 2


def test_the_expression_check_names_variables_and_those_nothing_provides(desk, shipped):
    _, files = shipped
    texts = {name: content.decode() for name, content in files.items()}
    body = {
        "expression": "dossier_complete and copies > 1",
        "kind": "condition",
        "element_id": "gw",
        "files": texts,
    }

    checked = desk.post(CHECK, body, by="thietke")
    refused = desk.post(CHECK, {**body, "expression": "__import__('os')"}, by="thietke")
    script = desk.post(
        CHECK, {**body, "kind": "script", "expression": "x = 1\ny = x + z"}, by="admin"
    )

    assert checked.status_code == 200, checked.json
    assert checked.json["variables"] == ["dossier_complete", "copies"]
    assert checked.json["unknown"] == ["copies"]
    assert refused.status_code == 200 and refused.json["problems"][0]["element_id"] == "gw"
    deep = desk.post(CHECK, {**body, "expression": "a" + "+a" * 6000}, by="thietke")
    assert deep.status_code == 200 and deep.json["problems"], deep.json
    assert (script.json["variables"], script.json["unknown"]) == (["z"], ["z"])


def test_only_designers_check_expressions_and_the_kind_is_checked(desk):
    body = {"expression": "x", "kind": "condition"}

    assert desk.post(CHECK, body, by="tiepnhan1").status_code == 403
    assert desk.post(CHECK, body, by="lanhdao1").status_code == 403
    assert desk.post(CHECK, {**body, "kind": "python"}, by="thietke").status_code == 422
