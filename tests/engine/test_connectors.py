"""Service tasks' connectors against a real local HTTP server: what another agency's system
receives, what the result variable gets, and every way a call fails (as ConnectorFailed, which
the script engine turns into the dossier's incident)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from time import monotonic

import pytest

from engine.bpmn.connectors import registry
from engine.bpmn.connectors.base import ConnectorFailed
from engine.bpmn.connectors.base import ConnectorSettings
from engine.bpmn.connectors.population import PopulationLookup
from engine.bpmn.connectors.web import MAX_ANSWER_BYTES
from engine.bpmn.connectors.web import HttpGet
from engine.bpmn.connectors.web import HttpPost
from tests.local_service import Answer
from tests.local_service import local_service

SETTINGS = ConnectorSettings(
    allowed_hosts=frozenset({"127.0.0.1"}),
    timeout_seconds=0.3,
    retries=2,
    retry_backoff_seconds=0,
)


@pytest.fixture
def service():
    with local_service() as running:
        yield running


def test_http_get_puts_the_json_answer_in_the_result(service):
    service.answer("/citizens/001", Answer(200, {"registered": True, "name": "Nguyễn Văn An"}))

    answer = HttpGet(SETTINGS).call(
        {"url": service.url("/citizens/001?full=1"), "headers": {"X-Agency": "C01"}}
    )

    assert answer == {"registered": True, "name": "Nguyễn Văn An"}
    [request] = service.requests
    assert (request.method, request.path) == ("GET", "/citizens/001?full=1")
    assert request.headers["X-Agency"] == "C01"
    assert request.headers["Accept"] == "application/json"


def test_http_post_sends_the_body_as_json_with_dates_and_decimals_as_text(service):
    service.answer("/notices", Answer(201, {"notice_id": 7}))

    answer = HttpPost(SETTINGS).call(
        {
            "url": service.url("/notices"),
            "body": {"due": date(2026, 3, 9), "fee": Decimal("25001.00"), "name": "Lê Thị Cúc"},
        }
    )

    assert answer == {"notice_id": 7}
    [request] = service.requests
    assert request.method == "POST"
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.json() == {"due": "2026-03-09", "fee": "25001.00", "name": "Lê Thị Cúc"}


def test_an_empty_answer_is_null(service):
    service.answer("/ping", Answer(204))

    assert HttpGet(SETTINGS).call({"url": service.url("/ping")}) is None


@pytest.mark.parametrize(
    "allowed",
    [frozenset(), frozenset({"api.example.gov.vn"}), frozenset({"localhost"})],
    ids=["nothing_allowed", "another_host", "another_name_for_it"],
)
def test_a_host_off_the_allowlist_is_refused_before_any_request(service, allowed):
    settings = replace(SETTINGS, allowed_hosts=allowed)

    with pytest.raises(ConnectorFailed, match="'127.0.0.1' is not in CONNECTOR_ALLOWED_HOSTS"):
        HttpGet(settings).call({"url": service.url("/citizens/001")})

    assert service.requests == []


def test_a_host_and_port_entry_allows_that_port_only(service):
    service.answer("/ping", Answer(200, {"ok": True}))
    settings = replace(SETTINGS, allowed_hosts=frozenset({f"127.0.0.1:{service.port}"}))

    assert HttpGet(settings).call({"url": service.url("/ping")}) == {"ok": True}
    with pytest.raises(ConnectorFailed, match="not in CONNECTOR_ALLOWED_HOSTS"):
        HttpGet(settings).call({"url": f"http://127.0.0.1:{service.port + 1}/ping"})


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://127.0.0.1/data.json", "127.0.0.1/ping", "http:///ping", 42],
)
def test_an_address_that_is_not_http_is_refused(url):
    with pytest.raises(ConnectorFailed, match="http"):
        HttpGet(SETTINGS).call({"url": url})


def test_a_service_that_does_not_answer_in_time_is_tried_a_bounded_number_of_times(service):
    service.answer("/slow", Answer(200, {"late": True}, delay=1.5))
    started = monotonic()

    with pytest.raises(ConnectorFailed, match=r"3 attempts of up to 0.3 s: TimeoutError"):
        HttpGet(SETTINGS).call({"url": service.url("/slow")})

    assert len(service.requests) == 3
    assert monotonic() - started < 1.5


def test_a_failure_that_may_pass_is_tried_again(service):
    service.answer("/busy", Answer(503), Answer(502), Answer(200, {"ok": True}))

    assert HttpGet(SETTINGS).call({"url": service.url("/busy")}) == {"ok": True}
    assert len(service.requests) == 3


def test_retries_stop_at_the_setting(service):
    service.answer("/down", Answer(503))

    with pytest.raises(ConnectorFailed, match="2 attempts.*503"):
        HttpGet(replace(SETTINGS, retries=1)).call({"url": service.url("/down")})

    assert len(service.requests) == 2


def test_a_refused_request_is_not_tried_again(service):
    service.answer("/citizens/999", Answer(404, {"error": "not found"}))

    with pytest.raises(ConnectorFailed, match="the server answered 404"):
        HttpGet(SETTINGS).call({"url": service.url("/citizens/999")})

    assert len(service.requests) == 1


def test_a_redirect_is_not_followed(service):
    service.answer("/moved", Answer(302, headers={"Location": "http://evil.example/steal"}))

    with pytest.raises(ConnectorFailed, match="302.*redirects are not followed"):
        HttpGet(SETTINGS).call({"url": service.url("/moved")})

    assert service.paths() == ["/moved"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b"<html>ok</html>", "not JSON"), (b"1" * (MAX_ANSWER_BYTES + 1), "larger than")],
    ids=["html", "too_large"],
)
def test_an_answer_that_cannot_be_kept_fails(service, body, reason):
    service.answer("/odd", Answer(200, body))

    with pytest.raises(ConnectorFailed, match=reason):
        HttpGet(SETTINGS).call({"url": service.url("/odd")})


def test_headers_must_map_text_to_text(service):
    with pytest.raises(ConnectorFailed, match="headers must map text to text"):
        HttpGet(SETTINGS).call({"url": service.url("/ping"), "headers": {"X-Count": 3}})
    assert service.requests == []


def test_the_population_lookup_fails_clearly_while_no_endpoint_is_configured():
    with pytest.raises(ConnectorFailed, match="set POPULATION_API_URL"):
        PopulationLookup(SETTINGS).call({"id_number": "001234567890"})


def test_the_population_lookup_asks_its_configured_endpoint_with_its_token(service):
    service.answer("/api/citizens/lookup", Answer(200, {"found": True, "full_name": "Lê Thị Cúc"}))
    settings = ConnectorSettings(
        population_url=service.url("/api/citizens/lookup"), population_token="s3cret"
    )

    answer = PopulationLookup(settings).call(
        {"id_number": "001234567892", "full_name": "Lê Thị Cúc"}
    )

    assert answer == {"found": True, "full_name": "Lê Thị Cúc"}
    [request] = service.requests
    assert request.json() == {"id_number": "001234567892", "full_name": "Lê Thị Cúc"}
    assert request.headers["Authorization"] == "Bearer s3cret"


def test_the_registry_refuses_an_operator_it_does_not_serve_and_a_missing_parameter():
    with pytest.raises(ConnectorFailed, match="unknown operator; known: http/get, http/post"):
        registry.call("sms/send", {"phone": "0912345678"})
    with pytest.raises(ConnectorFailed, match="missing parameters: url"):
        registry.call("http/get", {"url": ""})


def test_publication_is_told_what_a_service_task_lacks():
    assert registry.refusals("http/get", ["url"]) == []
    assert registry.refusals("http/post", ["url", "body", "headers"]) == []
    [unknown] = registry.refusals("sms/send", [])
    [missing, extra] = registry.refusals("population/lookup", ["adress"])

    assert "sms/send" in unknown and "population/lookup" in unknown
    assert "missing parameters: id_number" in missing
    assert "unknown parameters: adress" in extra
