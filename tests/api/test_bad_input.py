"""Hostile and broken input over HTTP: each is answered with a 4xx problem that says what is wrong,
and nothing is stored (rows counted before and after)."""

from __future__ import annotations

import io
import json
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from engine.models import Attachment
from engine.models import Dossier
from engine.models import Event
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.models import Task
from engine.rules.calendar import LOCAL_TZ

BPMN_DIR = Path(__file__).resolve().parents[1] / "engine" / "bpmn"
COUNTED = (Procedure, ProcedureVersion, Dossier, Task, Event, Attachment)
MB = 1024 * 1024
HOSTILE_METADATA = {
    "code": "hostile_upload",
    "name_vi": "Thủ tục thử nghiệm",
    "name_en": "Test procedure",
    "field": "civil_status",
    "time_limit": 3,
}
DMN_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d_fee"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="fee_rule" isExecutable="true">
    <bpmn:laneSet id="lanes"><bpmn:lane id="lane_reception" name="reception">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>decide_fee</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>done</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="decide_fee" name="Tính lệ phí">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>fee_decision</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide_fee" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide_fee" targetRef="done" />
  </bpmn:process>
</bpmn:definitions>"""
DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dmn_fee" name="Fee"
    namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="fee_decision" name="Lệ phí">
    <decisionTable id="fee_table">
      <input id="in_channel" label="Channel">
        <inputExpression id="in_channel_expr" typeRef="string"><text>{expression}</text>
        </inputExpression>
      </input>
      <output id="out_fee" name="fee" typeRef="integer" />
      <rule id="rule_online">
        <inputEntry id="rule_online_in"><text>"online"</text></inputEntry>
        <outputEntry id="rule_online_out"><text>0</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>"""


@pytest.fixture
def stored(new_uow):
    """`stored()` -> how many rows each counted table holds now."""

    def count() -> dict[str, int]:
        with new_uow() as uow:
            return {
                model.__name__: uow.session.scalar(select(func.count()).select_from(model))
                for model in COUNTED
            }

    return count


def publish(desk, files, *, metadata=None, validate_only=False):
    path = "/api/v1/procedures/validate" if validate_only else "/api/v1/procedures"
    return desk.client.post(
        path,
        data={
            "metadata": json.dumps(metadata or HOSTILE_METADATA),
            "files": [(io.BytesIO(content), name) for name, content in files.items()],
        },
        content_type="multipart/form-data",
        headers=desk.headers("thietke"),
    )


def assert_problem(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.content_type == "application/problem+json"
    assert response.json["title"] and response.json["detail"]
    if code:
        assert response.json["code"] == code


def script_bpmn(script: str) -> bytes:
    """The script_import fixture with another script in its script task."""
    text = (BPMN_DIR / "script_import.bpmn").read_text()
    start, end = text.index("<bpmn:script>"), text.index("</bpmn:script>")
    return (text[: start + len("<bpmn:script>")] + script + text[end:]).encode()


@pytest.mark.parametrize(
    ("name", "content", "status", "code"),
    [
        ("malformed.bpmn", (BPMN_DIR / "malformed.bpmn").read_bytes(), 422, "diagram_invalid"),
        ("xxe.bpmn", (BPMN_DIR / "xxe.bpmn").read_bytes(), 400, "unsafe_xml"),
        ("laughs.bpmn", (BPMN_DIR / "billion_laughs.bpmn").read_bytes(), 400, "unsafe_xml"),
        ("script.bpmn", (BPMN_DIR / "script_import.bpmn").read_bytes(), 422, "diagram_invalid"),
        (
            "script.bpmn",
            script_bpmn("files = ().__class__.__bases__[0].__subclasses__()"),
            422,
            "diagram_invalid",
        ),
        (
            "latin1.bpmn",
            (BPMN_DIR / "one_step.bpmn").read_bytes().replace("Kiểm tra".encode(), b"Ki\xe9m"),
            422,
            "diagram_invalid",
        ),
    ],
    ids=["malformed", "xxe", "billion_laughs", "imports_os", "dunder_subclasses", "not_utf8"],
)
@pytest.mark.parametrize("validate_only", [False, True], ids=["publish", "validate"])
def test_a_hostile_or_broken_diagram_is_refused_and_nothing_is_published(
    desk, stored, name, content, status, code, validate_only
):
    before = stored()
    response = publish(desk, {name: content}, validate_only=validate_only)
    if validate_only and status == 422:
        assert response.status_code == 200
        assert response.json["problems"], "validation must name the problem"
    else:
        assert_problem(response, status, code)
        assert response.json["problems"][0]["message"]
    assert "root:" not in response.get_data(as_text=True)
    assert stored() == before


def test_a_form_file_that_is_not_utf8_is_refused_naming_the_file(desk, stored):
    before = stored()
    form = (BPMN_DIR / "check_dossier.form.json").read_bytes() + b'\xff\xfe"'
    response = publish(
        desk,
        {
            "one_step.bpmn": (BPMN_DIR / "one_step.bpmn").read_bytes(),
            "check_dossier.form.json": form,
        },
    )
    assert_problem(response, 422, "diagram_invalid")
    assert "check_dossier.form.json" in [p["file"] for p in response.json["problems"]], (
        response.json
    )
    assert stored() == before


@pytest.mark.parametrize(
    "expression",
    ["__import__('os').getcwd()", "channel.__class__.__subclasses__()", "channel ==="],
    ids=["imports_os", "dunder", "syntax_error"],
)
def test_a_decision_table_with_a_bad_expression_is_refused_at_publish(desk, stored, expression):
    before = stored()
    files = {
        "fee_rule.bpmn": DMN_BPMN.encode(),
        "fee.dmn": DMN.replace("{expression}", expression).encode(),
    }
    response = publish(desk, files, metadata={**HOSTILE_METADATA, "process_id": "fee_rule"})
    assert_problem(response, 422, "diagram_invalid")
    assert any(p["element_id"] == "in_channel" for p in response.json["problems"])
    assert stored() == before


def post_multipart(desk, url, fields, *, by):
    """The body encoded up front: the test client would spool a large one to a temporary file
    it never closes."""
    boundary, body = encode_multipart(fields)
    return desk.client.post(
        url,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=desk.headers(by),
    )


def test_a_50_mb_procedure_upload_is_refused_before_it_is_read(desk, stored):
    before = stored()
    huge = b"<a>" + b" " * (50 * MB) + b"</a>"
    fields = {
        "metadata": json.dumps(HOSTILE_METADATA),
        "files": FileStorage(io.BytesIO(huge), "huge.bpmn"),
    }
    response = post_multipart(desk, "/api/v1/procedures", fields, by="thietke")
    assert_problem(response, 413, "http_413")
    assert stored() == before


def test_a_50_mb_document_is_refused_and_nothing_is_stored(desk, stored, app, tmp_path):
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    dossier = desk.receive()
    before = stored()
    scan = b"%PDF-1.4\n" + b"0" * (50 * MB)
    response = post_multipart(
        desk,
        f"/api/v1/dossiers/{dossier['id']}/attachments",
        {"files": FileStorage(io.BytesIO(scan), "scan.pdf")},
        by="tiepnhan1",
    )
    assert_problem(response, 422)
    assert "scan.pdf" in " ".join(response.json["errors"]["files"])
    assert stored() == before
    assert not (tmp_path / "attachments").exists()


@pytest.fixture
def birth_task(desk):
    """The register_birth step of a newborn dossier at C01, waiting for the civil status officer."""
    dossier = desk.receive()
    desk.work_newborn(dossier["id"], "check_dossier")
    return desk.task_id(dossier["id"], "register_birth")


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        (
            {"birth_registration_number": 15, "child_personal_id": "001226000015"},
            "birth_registration_number",
            "chuỗi",
        ),
        (
            {"birth_registration_number": ["15"], "child_personal_id": "001226000015"},
            "birth_registration_number",
            "chuỗi",
        ),
        (
            {
                "birth_registration_number": "15/2026",
                "child_personal_id": "001226000015",
                "is_admin": True,
            },
            "is_admin",
            "unknown field",
        ),
        (
            {"birth_registration_number": "15/2026", "child_personal_id": "0" * 10_001},
            "child_personal_id",
            "at most 10000",
        ),
        (
            {
                "birth_registration_number": "15/2026",
                "child_personal_id": "001226000015",
                "note": "x" * 2001,
            },
            "note",
            "at most 2000",
        ),
    ],
    ids=[
        "number_for_text",
        "list_for_text",
        "unknown_field",
        "over_default_length",
        "over_form_length",
    ],
)
def test_form_data_of_the_wrong_shape_is_refused_naming_the_field(
    desk, stored, birth_task, data, field, words
):
    before = stored()
    response = desk.complete(birth_task, data, by="hotich1")
    assert_problem(response, 422)
    assert words in " ".join(response.json["errors"][field])
    assert stored() == before


def test_task_data_that_is_not_an_object_is_refused(desk, stored, birth_task):
    before = stored()
    response = desk.complete(birth_task, ["15/2026"], by="hotich1")
    assert_problem(response, 422)
    assert stored() == before


@pytest.mark.parametrize(
    "body",
    [
        b'{"procedure_code": "newborn_bundle", "applicant": {"full_name": "Nguy\xe1n"}}',
        b"\xff\xfe{\x00}\x00",
        b'{"procedure_code": ',
    ],
    ids=["latin1_bytes", "utf16_bom", "truncated"],
)
def test_a_json_body_that_is_not_utf8_json_is_refused(desk, stored, body):
    before = stored()
    response = desk.client.post(
        "/api/v1/dossiers",
        data=body,
        content_type="application/json",
        headers=desk.headers("tiepnhan1"),
    )
    assert response.status_code in (400, 422), response.get_data(as_text=True)[:300]
    assert response.content_type == "application/problem+json"
    assert response.json["detail"]
    assert stored() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {
                "procedure_code": "newborn_bundle",
                "channel": "in_person",
                "applicant": {"full_name": "A" * 201, "id_number": "001234567890"},
            },
            "applicant",
        ),
        (
            {
                "procedure_code": "newborn_bundle",
                "channel": "carrier_pigeon",
                "applicant": {"full_name": "An", "id_number": "001234567890"},
            },
            "channel",
        ),
        (
            {
                "procedure_code": "newborn_bundle",
                "channel": "in_person",
                "applicant": {"full_name": "An", "id_number": "001234567890"},
                "priority": "high",
            },
            "priority",
        ),
        (
            {
                "procedure_code": 7,
                "channel": "in_person",
                "applicant": {"full_name": "An", "id_number": "001234567890"},
            },
            "procedure_code",
        ),
    ],
    ids=["oversized_name", "unknown_channel", "unknown_field", "number_for_text"],
)
def test_a_dossier_body_with_bad_fields_is_refused_naming_them(desk, stored, body, field):
    before = stored()
    response = desk.post("/api/v1/dossiers", body, by="tiepnhan1")
    assert_problem(response, 422)
    assert field in response.json["errors"]
    assert stored() == before


def test_an_id_past_64_bits_is_not_found_rather_than_a_crash(desk):
    huge = 10**30
    for url in (f"/api/v1/dossiers/{huge}", f"/api/v1/tasks/{huge}", f"/api/v1/attachments/{huge}"):
        assert_problem(desk.get(url, by="admin"), 404)
    assert_problem(desk.get("/api/v1/dossiers", by="admin", page=huge), 422)
    assert_problem(desk.get("/api/v1/tasks", by="admin", dossier_id=huge), 422)


def test_a_newborn_born_tomorrow_is_refused_and_no_dossier_is_made(desk, stored):
    """The reception form marks the date of birth `disallowFutureDates`: tomorrow in Vietnam
    is refused with a problem naming the field; today is accepted."""
    today = datetime.now(LOCAL_TZ).date()
    before = stored()
    body = {
        "procedure_code": "newborn_bundle",
        "channel": "in_person",
        "applicant": {"full_name": "Lê Thị Hồng", "id_number": "001234567891"},
        "data": {"child_birth_date": (today + timedelta(days=1)).isoformat()},
    }

    refused = desk.post("/api/v1/dossiers", body, by="tiepnhan1")
    after_refusal = stored()
    body["data"]["child_birth_date"] = today.isoformat()
    accepted = desk.post("/api/v1/dossiers", body, by="tiepnhan1")

    assert refused.status_code == 422, refused.json
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    [message] = refused.json["errors"]["child_birth_date"]
    assert "không được sau hôm nay" in message and "must not be after today" in message
    assert accepted.status_code == 201, accepted.json
    assert after_refusal == before
