"""The procedure catalogue: designers publish versions; a bad upload never changes what runs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from engine.catalogue.folders import read_folder

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="newborn_bundle" name="&xxe;" isExecutable="true" />
</bpmn:definitions>"""
BPMN = "newborn_bundle.bpmn"


@pytest.fixture
def shipped(processes_dir: Path):
    """The newborn_bundle folder as a designer would upload it: (metadata, files)."""
    meta, files = read_folder(processes_dir / "newborn_bundle")
    return dict(meta.__dict__), files


def upload(desk, metadata, files, *, by="thietke", validate_only=False):
    path = "/api/v1/procedures/validate" if validate_only else "/api/v1/procedures"
    return desk.client.post(
        path,
        data={
            "metadata": json.dumps(metadata),
            "files": [(io.BytesIO(content), name) for name, content in files.items()],
        },
        content_type="multipart/form-data",
        headers=desk.headers(by),
    )


def current(desk, code="newborn_bundle"):
    response = desk.get(f"/api/v1/procedures/{code}", by="thietke")
    assert response.status_code == 200, response.json
    return response.json


def edited(files, old: str, new: str):
    text = files[BPMN].decode()
    assert old in text
    return {**files, BPMN: text.replace(old, new).encode()}


def test_the_catalogue_lists_each_procedure_with_its_version_and_time_limit(desk):
    listed = desk.get("/api/v1/procedures", by="tiepnhan1").json
    summary = [(p["code"], p["field"], p["version"], p["time_limit"]) for p in listed]
    assert summary == [
        ("certify_copy", "certification", 1, 0),
        ("certify_signature", "certification", 1, 0),
        ("civil_status_correction", "civil_status", 1, 3),
        ("civil_status_extract_copy", "civil_status", 1, 0),
        ("death_registration", "civil_status", 1, 7),
        ("marital_status_certificate", "civil_status", 1, 3),
        ("marriage_registration", "civil_status", 1, 5),
        ("newborn_bundle", "civil_status", 1, 7),
        ("permanent_residence", "residence", 1, 7),
        ("register_book_copy", "certification", 1, 0),
        ("residence_confirmation", "residence", 1, 3),
        ("social_allowance", "labour_social", 1, 10),
    ]
    names = {p["code"]: (p["name_vi"], p["name_en"]) for p in listed}
    assert names["social_allowance"] == ("Trợ cấp xã hội hằng tháng", "Monthly social allowance")
    assert names["newborn_bundle"][0].startswith("Liên thông đăng ký khai sinh")
    only = desk.get("/api/v1/procedures", by="tiepnhan1", field="labour_social").json
    assert [p["code"] for p in only] == ["social_allowance"]


def test_a_procedure_shows_its_diagram_files_and_versions(desk, shipped):
    _, files = shipped
    detail = current(desk)
    assert detail["bpmn_xml"] == files[BPMN].decode()
    assert detail["files"] == sorted(files)
    assert [v["number"] for v in detail["versions"]] == [1]
    assert desk.get("/api/v1/procedures/no_such", by="thietke").status_code == 404


def test_a_designer_publishes_a_new_version_and_old_dossiers_keep_theirs(desk, shipped):
    metadata, files = shipped
    old_dossier = desk.receive()["id"]
    renamed = edited(files, 'name="Đăng ký khai sinh"', 'name="Đăng ký khai sinh (v2)"')

    response = upload(desk, {**metadata, "time_limit": 5}, renamed)
    assert response.status_code == 201, response.json
    assert response.json["created"] is True
    assert (response.json["procedure"]["version"], response.json["procedure"]["time_limit"]) == (
        2,
        5,
    )
    detail = current(desk)
    assert detail["version"] == 2
    assert [v["number"] for v in detail["versions"]] == [2, 1]
    assert "Đăng ký khai sinh (v2)" in detail["bpmn_xml"]

    new_dossier = desk.receive()["id"]
    assert desk.dossier(old_dossier)["procedure_version"] == 1
    assert desk.dossier(new_dossier)["procedure_version"] == 2
    desk.work_newborn(old_dossier, "check_dossier")
    desk.work_newborn(new_dossier, "check_dossier")
    assert [t["name"] for t in desk.dossier(old_dossier)["tasks"]] == ["Đăng ký khai sinh"]
    assert [t["name"] for t in desk.dossier(new_dossier)["tasks"]] == ["Đăng ký khai sinh (v2)"]


def test_publishing_the_same_files_again_creates_no_version(desk, shipped):
    metadata, files = shipped
    response = upload(desk, metadata, files)
    assert response.status_code == 201
    assert response.json["created"] is False
    assert response.json["procedure"]["version"] == 1
    assert [v["number"] for v in current(desk)["versions"]] == [1]


def _without_register_birth_form(files):
    return {k: v for k, v in files.items() if k != "register_birth.form.json"}


@pytest.mark.parametrize(
    ("change", "file", "element_id"),
    [
        (lambda f: {**f, BPMN: b"<bpmn:definitions><bpmn:process>"}, BPMN, None),
        (lambda f: {**f, BPMN: b'<svg xmlns="http://www.w3.org/2000/svg"/>'}, BPMN, None),
        (
            lambda f: edited(f, 'name="commune_police"', 'name="fortune_teller"'),
            None,
            "register_residence",
        ),
        (_without_register_birth_form, None, "register_birth"),
    ],
    ids=["malformed_xml", "not_bpmn", "unknown_lane_role", "missing_form"],
)
def test_an_invalid_upload_is_refused_and_the_published_version_stays(
    desk, shipped, change, file, element_id
):
    metadata, files = shipped
    before = current(desk)
    response = upload(desk, metadata, change(files))
    assert response.status_code == 422
    assert response.json["code"] == "diagram_invalid"
    [problem] = response.json["problems"]
    assert problem["message"]
    assert (problem["file"], problem["element_id"]) == (file, element_id)
    assert current(desk) == before

    checked = upload(desk, metadata, change(files), validate_only=True)
    assert checked.status_code == 200
    assert checked.json["problems"] == response.json["problems"]


@pytest.mark.parametrize("validate_only", [False, True], ids=["publish", "validate"])
def test_doctype_and_entities_are_refused_on_both_routes(desk, shipped, validate_only):
    metadata, files = shipped
    before = current(desk)
    response = upload(desk, metadata, {**files, BPMN: XXE}, validate_only=validate_only)
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert response.json["code"] == "unsafe_xml"
    assert [p["file"] for p in response.json["problems"]] == [BPMN]
    assert "root:" not in response.get_data(as_text=True)
    assert current(desk) == before


def test_validating_reports_no_problem_and_publishes_nothing(desk, shipped):
    metadata, files = shipped
    before = current(desk)
    changed = edited(files, 'name="Trả kết quả"', 'name="Trả kết quả cho công dân"')
    response = upload(desk, {**metadata, "time_limit": 7}, changed, validate_only=True)
    assert response.status_code == 200
    assert response.json["problems"] == []
    assert response.json["warnings"] == []  # the shipped diagram passes every check
    assert current(desk) == before


def test_bad_metadata_is_refused_naming_the_field(desk, shipped):
    metadata, files = shipped
    before = current(desk)
    response = upload(desk, {**metadata, "field": "astrology"}, files)
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["field"]
    assert current(desk) == before


@pytest.mark.parametrize("validate_only", [False, True], ids=["publish", "validate"])
def test_only_designers_may_publish_or_validate(desk, shipped, validate_only):
    metadata, files = shipped
    before = current(desk)
    changed = edited(files, 'name="Trả kết quả"', 'name="Trả kết quả (mới)"')
    for username in ("hotich1", "tiepnhan1", "lanhdao1"):
        response = upload(desk, metadata, changed, by=username, validate_only=validate_only)
        assert response.status_code == 403, username
        assert response.json["code"] == "forbidden"
    assert current(desk) == before


def test_an_upload_without_metadata_or_files_is_refused_naming_what_is_missing(desk, shipped):
    metadata, files = shipped
    no_metadata = desk.client.post(
        "/api/v1/procedures",
        data={"files": [(io.BytesIO(content), name) for name, content in files.items()]},
        content_type="multipart/form-data",
        headers=desk.headers("thietke"),
    )
    assert no_metadata.status_code == 422
    assert list(no_metadata.json["errors"]) == ["metadata"]
    no_files = upload(desk, metadata, {})
    assert no_files.status_code == 422
    assert list(no_files.json["errors"]) == ["files"]
