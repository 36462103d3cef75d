"""Property-based checks of the whole API against its own OpenAPI document: for requests generated
from the schemas, sent as the logged-in administrator, no operation answers with a server error and
every answer has the shape the document promises."""

from __future__ import annotations

import io
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES_PER_OPERATION = 5
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
"""The filter below: schemathesis's WSGI transport reads a file download without closing it, so
the attachment's file handle is left to the garbage collector (a warning, not our leak)."""


def known_ids(desk: Any) -> dict[str, Any]:
    """Path parameters naming things that exist, so answers are read models, not only 404s."""
    dossier = desk.receive()
    upload = desk.client.post(
        f"/api/v1/dossiers/{dossier['id']}/attachments",
        data={"files": [(io.BytesIO(PDF), "to-khai.pdf")]},
        headers=desk.headers("tiepnhan1"),
        content_type="multipart/form-data",
    )
    hook = desk.post(
        "/api/v1/webhooks", {"url": "https://example.vn/hook", "secret": "s" * 32}, by="admin"
    )
    return {
        "dossier_id": dossier["id"],
        "task_id": dossier["tasks"][0]["id"],
        "attachment_id": upload.json[0]["id"],
        "subscription_id": hook.json["id"],
        "code": "newborn_bundle",
    }


ENDS_CREDENTIALS = ("/auth/logout", "/auth/password", "/users/{user_id}")
"""Operations that may end the administrator's token (a logout, a password change or reset):
run last, so the others are tried with a working token."""


def _ends_credentials(operation: Any) -> bool:
    return any(part in operation.path for part in ENDS_CREDENTIALS)


def failures_of(operation: Any, headers: dict[str, str], ids: dict[str, Any]) -> str | None:
    """Run the operation's generated cases; the first failure's report, or None."""
    names = {parameter.name for parameter in operation.path_parameters}
    strategy = operation.as_strategy(
        headers=headers, path_parameters={k: v for k, v in ids.items() if k in names}
    )

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Exception as failure:  # noqa: BLE001 - each operation's report is collected
        return f"{operation.label}: {failure}"
    return None


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_no_operation_fails_or_breaks_its_documented_shape(app, desk, tmp_path):
    """Every operation of /api/v1/openapi.json, a few generated requests each: an answer is a
    result or a problem as documented, never a 500."""
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = desk.headers("admin")
    ids = known_ids(desk)
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()), key=_ends_credentials
    )
    assert len(operations) > 40
    failures = [f for op in operations if (f := failures_of(op, headers, ids)) is not None]
    assert failures == [], "\n\n".join(failures)
