"""The studio's modeler page: who opens it in which mode, what its config carries, and its
validate endpoint, which answers the same problems and warnings as the API's validate."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.catalogue.folders import read_folder
from engine.catalogue.procedures import publish
from tests.api.journeys import CONSTRUCTS
from tests.conftest import DEMO_PASSWORD

CONFIG = re.compile(r'<script type="application/json" id="modeler-config">(.*?)</script>', re.S)


def page_client(app: Flask, username: str) -> tuple[FlaskClient, str]:
    client = app.test_client()
    client.get("/login")
    token = _csrf(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"csrf_token": token, "username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client, _csrf(client.get("/").get_data(as_text=True))


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:400]
    return found.group(1)


def config_of(client: FlaskClient, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    found = CONFIG.search(response.get_data(as_text=True))
    assert found
    config: dict[str, Any] = json.loads(found.group(1))
    return config


def test_a_designer_opens_the_current_version_to_edit_with_its_files_roles_and_urls(app):
    client, _ = page_client(app, "thietke")
    config = config_of(client, "/studio/social_allowance/edit")
    assert config["mode"] == "edit"
    assert config["process_file"] == "social_allowance.bpmn"
    assert "verify_beneficiary.form.json" in config["files"]
    assert 'spiffworkflow:property name="form"' in config["files"]["social_allowance.bpmn"]
    assert config["metadata"]["time_limit"] == 10
    assert config["metadata"]["supplement_days"] == 7
    role_ids = [role["id"] for role in config["roles"]]
    assert "reception" in role_ids and "labour_social" in role_ids
    assert "designer" not in role_ids
    assert config["outcomes"] == ["result_returned", "processed", "refused"]
    assert "population/lookup" in config["operators"]
    assert config["urls"]["validate"] == "/studio/social_allowance/validate"
    assert config["urls"]["save"] == "/studio/social_allowance/draft"
    assert config["urls"]["publish"] == "/studio/social_allowance/draft/publish"
    assert config["urls"]["check_expression"] == "/studio/social_allowance/check-expression"
    assert config["urls"]["evaluate_decision"] == "/studio/social_allowance/decisions/evaluate"
    fields = {item["id"]: item["label"] for item in config["fields"]}
    assert fields["labour_social"] == "Lao động – Thương binh và Xã hội"
    assert config["metadata"]["field"] in fields
    assert config["hash"] is None  # no draft yet: the first save starts one
    assert config["csrf_token"]


def test_a_leader_reads_and_other_roles_are_refused(app):
    leader, _ = page_client(app, "lanhdao1")
    read_only = config_of(leader, "/studio/social_allowance/edit")
    assert read_only["mode"] == "readonly"
    assert (read_only["urls"]["save"], read_only["urls"]["publish"]) == (None, None)
    assert read_only["urls"]["evaluate_decision"] is None
    reception, _ = page_client(app, "tiepnhan1")
    assert reception.get("/studio/social_allowance/edit").status_code == 403


def test_the_page_speaks_english_when_switched(app):
    client, _ = page_client(app, "thietke")
    config = config_of(client, "/studio/social_allowance/edit?lang=en")
    assert config["lang"] == "en"
    page = client.get("/studio/social_allowance/edit").get_data(as_text=True)
    assert "Save draft" in page and "Monthly social allowance" in page
    labels = {role["id"]: role["label"] for role in config["roles"]}
    assert labels["reception"] == "Reception and result return"
    assert {"id": "civil_status", "label": "Civil status"} in config["fields"]
    assert "Procedure details" in page and "Download folder (.zip)" in page


def test_a_version_that_does_not_exist_is_not_found(app):
    client, _ = page_client(app, "thietke")
    assert client.get("/studio/social_allowance/edit?version=9").status_code == 404
    assert client.get("/studio/no_such_procedure/edit").status_code == 404
    assert config_of(client, "/studio/social_allowance/edit?version=1")["mode"] == "edit"


def validate(client: FlaskClient, token: str, files: dict[str, str], metadata: dict[str, Any]):
    return client.post(
        "/studio/social_allowance/validate",
        json={"files": files, "metadata": metadata},
        headers={"X-CSRFToken": token},
    )


def test_validate_answers_the_servers_problems_naming_the_element(app):
    client, token = page_client(app, "thietke")
    config = config_of(client, "/studio/social_allowance/edit")
    files = dict(config["files"])
    assert validate(client, token, files, config["metadata"]).json["problems"] == []
    files["social_allowance.bpmn"] = files["social_allowance.bpmn"].replace(
        'name="outcome" value="refused"', 'name="outcome" value="rejected"', 1
    )
    answer = validate(client, token, files, config["metadata"])
    assert answer.status_code == 200
    problems = answer.json["problems"]
    assert [p["element_id"] for p in problems] == ["not_eligible"]
    assert "rejected" in problems[0]["message"]
    assert isinstance(answer.json["warnings"], list)


def test_validate_refuses_leaders_bad_metadata_and_a_missing_token(app):
    client, token = page_client(app, "thietke")
    config = config_of(client, "/studio/social_allowance/edit")
    bad = {**config["metadata"], "time_limit_unit": "weeks"}
    answer = validate(client, token, config["files"], bad)
    assert answer.status_code == 422
    assert "time_limit_unit" in answer.json["errors"]
    no_token = client.post("/studio/social_allowance/validate", json={"files": {}})
    assert no_token.status_code == 400
    leader, leader_token = page_client(app, "lanhdao1")
    refused = validate(leader, leader_token, config["files"], config["metadata"])
    assert refused.status_code == 403
    assert refused.json["status"] == 403


@pytest.mark.parametrize("body", [None, {"files": "x"}])
def test_validate_names_a_body_that_is_not_files_and_metadata(app, body):
    client, token = page_client(app, "thietke")
    answer = client.post(
        "/studio/social_allowance/validate", json=body, headers={"X-CSRFToken": token}
    )
    assert answer.status_code == 400
    assert "files, metadata" in answer.json["detail"]


def test_an_older_version_opens_read_only_with_its_own_files(app, new_uow, actor, processes_dir):
    meta, files = read_folder(processes_dir / "social_allowance")
    bpmn = files["social_allowance.bpmn"].decode()
    changed = bpmn.replace('name="time_limit" value="7d"', 'name="time_limit" value="6d"', 1)
    assert changed != bpmn
    with new_uow() as uow:
        publish(uow, actor("thietke"), meta, {**files, "social_allowance.bpmn": changed.encode()})
    client, _ = page_client(app, "thietke")
    current = config_of(client, "/studio/social_allowance/edit")
    assert (current["mode"], current["version"]) == ("edit", 2)
    assert 'value="6d"' in current["files"]["social_allowance.bpmn"]
    older = config_of(client, "/studio/social_allowance/edit?version=1")
    assert (older["mode"], older["version"]) == ("readonly", 1)
    assert 'value="7d"' in older["files"]["social_allowance.bpmn"]
    assert "phiên bản cũ" in client.get("/studio/social_allowance/edit?version=1").get_data(
        as_text=True
    )


def test_the_modeler_links_the_version_folder_as_a_zip(app):
    client, _ = page_client(app, "thietke")
    page = client.get("/studio/social_allowance/edit").get_data(as_text=True)
    assert "Tải thư mục (.zip)" in page
    link = re.search(r'id="export-zip" href="([^"]+)"', page)
    assert link and link.group(1) == "/api/v1/procedures/social_allowance/archive?version=1"
    archive = client.get(link.group(1))
    assert archive.status_code == 200
    assert archive.mimetype == "application/zip"


SANDBOX_DMN = (CONSTRUCTS / "sandbox_dmn.dmn").read_text()


def evaluate(client: FlaskClient, token: str, inputs: dict[str, Any]) -> Any:
    return client.post(
        "/studio/social_allowance/decisions/evaluate",
        json={"files": {"fees.dmn": SANDBOX_DMN}, "decision_id": "fee_by_age", "inputs": inputs},
        headers={"X-CSRFToken": token},
    )


def test_a_designer_tries_a_decision_table_on_typed_inputs(app):
    client, token = page_client(app, "thietke")
    answer = evaluate(client, token, {"age": 3})
    assert answer.status_code == 200, answer.json
    assert answer.json == {"outputs": {"fee_class": "free"}}
    assert evaluate(client, token, {"age": 40}).json["outputs"] == {"fee_class": "paid"}


def test_a_trial_without_an_input_the_table_reads_is_refused_in_words(app):
    client, token = page_client(app, "thietke")
    answer = evaluate(client, token, {})
    assert answer.status_code == 422
    assert "fee_by_age" in answer.json["detail"]
    assert "age" in answer.json["detail"]
    assert answer.json["errors"]["inputs"]
    unknown = client.post(
        "/studio/social_allowance/decisions/evaluate",
        json={"files": {"fees.dmn": SANDBOX_DMN}, "decision_id": "no_such", "inputs": {}},
        headers={"X-CSRFToken": token},
    )
    assert unknown.status_code == 422
    assert unknown.json["problems"], unknown.json


def test_a_trial_is_for_designers_and_needs_the_token_and_a_table(app):
    leader, leader_token = page_client(app, "lanhdao1")
    refused = evaluate(leader, leader_token, {"age": 3})
    assert refused.status_code == 403
    client, token = page_client(app, "thietke")
    no_token = client.post(
        "/studio/social_allowance/decisions/evaluate",
        json={"files": {"fees.dmn": SANDBOX_DMN}, "decision_id": "fee_by_age"},
    )
    assert no_token.status_code == 400
    not_a_table = client.post(
        "/studio/social_allowance/decisions/evaluate",
        json={"files": {"notes.txt": "x"}, "decision_id": "fee_by_age"},
        headers={"X-CSRFToken": token},
    )
    assert not_a_table.status_code == 422
    assert list(not_a_table.json["errors"]) == ["files.notes.txt.key"]


def test_the_modeler_opens_the_procedure_s_own_diagram_not_the_shared_one_it_calls(
    app, new_uow, actor, processes_dir
):
    meta, files = read_folder(processes_dir / "certify_copy")
    files["tra_ban_sao.bpmn"] = files.pop("certify_copy.bpmn")  # sorts after sign_and_seal.bpmn
    with new_uow() as uow:
        publish(uow, actor("thietke"), replace(meta, code="tra_ban_sao"), files)
    client, _ = page_client(app, "thietke")

    config = config_of(client, "/studio/tra_ban_sao/edit")

    assert config["process_file"] == "tra_ban_sao.bpmn"
    assert "sign_and_seal.bpmn" in config["files"]
