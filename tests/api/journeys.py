"""Working dossiers through the HTTP API as the demo users: the `desk` fixture and step data."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.catalogue.demo import demo_accounts

DEMO_USERS = frozenset(["admin", *(account.username for account in demo_accounts())])

APPLICANT = {"full_name": "Nguyễn Văn An", "id_number": "001234567890", "phone": "0912345678"}

NEWBORN_STEPS: dict[str, tuple[str, dict[str, Any]]] = {
    "check_dossier": ("tiepnhan1", {"dossier_complete": "yes"}),
    "register_birth": (
        "hotich1",
        {"birth_registration_number": "15/2026", "child_personal_id": "001226000015"},
    ),
    "register_residence": (
        "congan1",
        {"residence_address": "Thôn Đông, Xã Tân Hòa", "residence_notice_number": "TT-0007"},
    ),
    "issue_health_insurance_card": (
        "bhxh1",
        {"social_security_number": "0126000015", "card_valid_from": "2026-03-02"},
    ),
    "return_results": ("tiepnhan1", {"delivery_method": "in_person"}),
}
"""Each newborn_bundle step on its main path: the C01 user who does it, and valid form data."""
CONSTRUCTS = Path(__file__).resolve().parent.parent / "data" / "constructs"
"""One small diagram per BPMN construct, written for the tests (with the form they share)."""


class Desk:
    """Acts as any demo user; each logs in through the API once per run (argon2 is slow)."""

    def __init__(
        self,
        client: FlaskClient,
        login: Callable[..., dict[str, str]],
        tokens: dict[str, dict[str, str]],
    ) -> None:
        self.client = client
        self._login = login
        self._tokens = tokens

    def headers(self, username: str) -> dict[str, str]:
        assert username in DEMO_USERS, f"log {username} in with the `login` fixture"
        if username not in self._tokens:
            password = "admin" if username == "admin" else "demo"
            self._tokens[username] = self._login(username, password)
        return self._tokens[username]

    def get(self, url: str, *, by: str, **params: Any) -> TestResponse:
        return self.client.get(url, query_string=params, headers=self.headers(by))

    def post(self, url: str, body: Any = None, *, by: str) -> TestResponse:
        return self.client.post(url, json=body, headers=self.headers(by))

    def receive(
        self, procedure_code: str = "newborn_bundle", *, by: str = "tiepnhan1", **extra: Any
    ) -> dict[str, Any]:
        body = {
            "procedure_code": procedure_code,
            "channel": "in_person",
            "applicant": APPLICANT,
            **extra,
        }
        response = self.post("/api/v1/dossiers", body, by=by)
        assert response.status_code == 201, response.json
        return dict(response.json)

    def dossier(self, dossier_id: int, *, by: str = "tiepnhan1") -> dict[str, Any]:
        response = self.get(f"/api/v1/dossiers/{dossier_id}", by=by)
        assert response.status_code == 200, response.json
        return dict(response.json)

    def inbox(self, username: str, dossier_id: int | None = None, **params: Any) -> list[str]:
        """Element ids of the open tasks `username` may work (on one dossier if given)."""
        if dossier_id is not None:
            params["dossier_id"] = dossier_id
        response = self.get("/api/v1/tasks", by=username, **params)
        assert response.status_code == 200, response.json
        return [task["element_id"] for task in response.json["items"]]

    def task_id(self, dossier_id: int, element_id: str) -> int:
        """The id of the dossier's open task for `element_id`, read as the administrator."""
        tasks = self.dossier(dossier_id, by="admin")["tasks"]
        [task] = [task for task in tasks if task["element_id"] == element_id]
        return int(task["id"])

    def complete(self, task_id: int, data: Any, *, by: str) -> TestResponse:
        return self.post(f"/api/v1/tasks/{task_id}/complete", {"data": data}, by=by)

    def work(self, dossier_id: int, element_id: str, data: dict[str, Any], *, by: str) -> list[str]:
        """Complete the step as `by`, who must see it in their inbox; return the steps it opened."""
        assert element_id in self.inbox(by, dossier_id), f"{by} cannot see {element_id}"
        response = self.complete(self.task_id(dossier_id, element_id), data, by=by)
        assert response.status_code == 200, response.json
        return sorted(task["element_id"] for task in response.json["next_tasks"])

    def work_newborn(self, dossier_id: int, *element_ids: str) -> None:
        for element_id in element_ids:
            username, data = NEWBORN_STEPS[element_id]
            self.work(dossier_id, element_id, data, by=username)

    def publish_construct(
        self,
        process_id: str,
        *,
        validate_only: bool = False,
        decisions: str | None = None,
        changed: tuple[str, str] = ("", ""),
    ) -> TestResponse:
        """Upload a construct's diagram (with the shared forms, and its decision tables
        `<decisions or process_id>.dmn` when there are some) as the designer `thietke` does;
        `changed`: a text replaced in the diagram first (a designer's fix)."""
        metadata = {
            "code": process_id,
            "name_vi": f"Thử {process_id}",
            "name_en": f"Test {process_id}",
            "field": "civil_status",
            "time_limit": 5,
            "process_id": process_id,
        }
        files = {
            f"{process_id}.bpmn": (CONSTRUCTS / f"{process_id}.bpmn")
            .read_text()
            .replace(*changed)
            .encode(),
            **{form.name: form.read_bytes() for form in CONSTRUCTS.glob("*.form.json")},
        }
        dmn = CONSTRUCTS / f"{decisions or process_id}.dmn"
        if dmn.exists():
            files[dmn.name] = dmn.read_bytes()
        path = "/api/v1/procedures/validate" if validate_only else "/api/v1/procedures"
        return self.client.post(
            path,
            data={
                "metadata": json.dumps(metadata),
                "files": [(io.BytesIO(content), name) for name, content in files.items()],
            },
            content_type="multipart/form-data",
            headers=self.headers("thietke"),
        )
