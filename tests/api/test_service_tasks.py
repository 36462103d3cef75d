"""Service tasks through the API: a procedure whose diagram calls another agency's system (a
local HTTP server standing in for it) or the national population database, and every way such
a call fails, as the dossier's incident naming the operator and the element, never a 500."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from api.config import connector_settings
from api.database import EXTENSION_KEY
from engine.bpmn.connectors import registry
from tests.api.journeys import APPLICANT
from tests.api.journeys import Desk
from tests.conftest import make_app
from tests.local_service import Answer
from tests.local_service import local_service

CONSTRUCTS = Path(__file__).resolve().parent.parent / "data" / "constructs"
POPULATION_PATH = "/api/citizens/lookup"


@pytest.fixture
def service():
    with local_service() as running:
        yield running


@pytest.fixture
def app(app, database_url, service):
    """The application as a deployment configures it: the local service's host allowed, a short
    timeout, one retry, the population database's endpoint on the local service."""
    configured = make_app(
        database_url,
        CONNECTOR_ALLOWED_HOSTS=f"127.0.0.1:{service.port}",
        CONNECTOR_TIMEOUT_SECONDS=0.3,
        CONNECTOR_RETRIES=1,
        CONNECTOR_RETRY_BACKOFF_SECONDS=0,
        POPULATION_API_URL=service.url(POPULATION_PATH),
        POPULATION_API_TOKEN="token-of-the-commune",
    )
    yield configured
    configured.extensions[EXTENSION_KEY].kw["bind"].dispose()
    registry.configure(connector_settings(app.config))  # the process's settings, as before


def submit(desk: Desk, process_id: str, **data: Any) -> Any:
    body = {"procedure_code": process_id, "channel": "in_person", "applicant": APPLICANT}
    return desk.post("/api/v1/dossiers", {**body, "data": data}, by="tiepnhan1")


def test_a_registered_applicant_reaches_reception_after_the_registry_answers(desk, service):
    service.answer(f"/citizens/{APPLICANT['id_number']}", Answer(200, {"registered": True}))
    assert desk.publish_construct("service_http_get").status_code == 201

    created = submit(desk, "service_http_get", registry_url=service.url(""))

    assert created.status_code == 201, created.json
    assert desk.inbox("tiepnhan1", created.json["id"], scope="queue") == ["check"]
    [request] = service.requests
    assert (request.method, request.path) == ("GET", f"/citizens/{APPLICANT['id_number']}")
    assert request.headers["X-Agency"] == "C01"


def test_an_applicant_the_registry_does_not_know_is_refused_at_once(desk, service):
    service.answer(f"/citizens/{APPLICANT['id_number']}", Answer(200, {"registered": False}))
    assert desk.publish_construct("service_http_get").status_code == 201

    created = submit(desk, "service_http_get", registry_url=service.url(""))

    assert created.status_code == 201, created.json
    assert desk.dossier(created.json["id"])["status"] == "refused"


@pytest.mark.parametrize(
    ("answers", "registry_url", "reason", "calls"),
    [
        ([Answer(200, {"registered": True}, delay=1.5)], None, "2 attempts of up to 0.3 s", 2),
        ([Answer(503)], None, "2 attempts", 2),
        ([Answer(404, {"error": "no such citizen"})], None, "the server answered 404", 1),
        ([], "http://registry.example.gov.vn", "'registry.example.gov.vn' is not in", 0),
    ],
    ids=["timeout", "unavailable", "not_found", "refused_host"],
)
def test_a_failed_call_is_an_incident_naming_the_operator_and_the_element(
    desk, service, answers, registry_url, reason, calls
):
    service.answer(f"/citizens/{APPLICANT['id_number']}", *answers)
    assert desk.publish_construct("service_http_get").status_code == 201

    response = submit(desk, "service_http_get", registry_url=registry_url or service.url(""))

    assert response.status_code == 409, response.json
    detail = response.json["detail"]
    assert "Bước dịch vụ 'ask_registry' (Hỏi sổ đăng ký), thao tác 'http/get'" in detail
    assert "service task ask_registry, operator http/get" in detail
    assert reason in detail
    assert len(service.requests) == calls
    incident = desk.get(f"/api/v1/incidents/{response.json['incident_id']}", by="admin").json
    assert (incident["kind"], incident["message"]) == ("start", detail)


def test_the_population_lookup_finds_the_applicant_and_opens_the_check(desk, service):
    service.answer(
        POPULATION_PATH, Answer(200, {"found": True, "full_name": APPLICANT["full_name"]})
    )
    assert desk.publish_construct("service_task").status_code == 201

    created = submit(desk, "service_task")

    assert created.status_code == 201, created.json
    assert desk.inbox("tiepnhan1", created.json["id"], scope="queue") == ["check"]
    [request] = service.requests
    assert request.json() == {
        "id_number": APPLICANT["id_number"],
        "full_name": APPLICANT["full_name"],
    }
    assert request.headers["Authorization"] == "Bearer token-of-the-commune"


def test_a_lookup_that_failed_goes_through_when_the_incident_is_retried(desk, service):
    service.answer(POPULATION_PATH, Answer(503))
    assert desk.publish_construct("service_task").status_code == 201
    failed = submit(desk, "service_task")
    assert failed.status_code == 409, failed.json
    assert "thao tác 'population/lookup'" in failed.json["detail"]

    service.answer(
        POPULATION_PATH, Answer(200, {"found": True, "full_name": APPLICANT["full_name"]})
    )
    retried = desk.post(f"/api/v1/incidents/{failed.json['incident_id']}/retry", by="admin")

    assert retried.status_code == 200, retried.json
    assert retried.json["state"] == "resolved"
    dossier_id = retried.json["dossier_id"]
    assert desk.inbox("tiepnhan1", dossier_id, scope="queue") == ["check"]


def test_publication_refuses_an_unknown_operator_and_a_missing_parameter_naming_each_task(desk):
    checked = desk.publish_construct("service_unknown", validate_only=True)
    refused = desk.publish_construct("service_unknown")

    assert checked.status_code == 200
    assert refused.status_code == 422, refused.json
    problems = [(problem["element_id"], problem["message"]) for problem in refused.json["problems"]]
    assert [element for element, _ in problems] == ["send_sms", "fetch_nothing", "fetch_nothing"]
    assert "'sms/send'" in problems[0][1]
    assert "unknown service task operator" in problems[0][1]
    assert "thiếu tham số url (missing parameters: url)" in problems[1][1]
    assert "không nhận tham số adress (unknown parameters: adress)" in problems[2][1]
    assert [p["element_id"] for p in checked.json["problems"]] == [
        p["element_id"] for p in refused.json["problems"]
    ]


def test_the_allowed_hosts_setting_is_a_comma_separated_list(app):
    settings = connector_settings(
        {**app.config, "CONNECTOR_ALLOWED_HOSTS": " API.Example.gov.vn,127.0.0.1:8080 , "}
    )

    assert settings.allowed_hosts == {"api.example.gov.vn", "127.0.0.1:8080"}
