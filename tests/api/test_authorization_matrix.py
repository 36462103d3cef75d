"""Who may call what: every route of the app, API and pages, against one explicit table of intended
access per role. A route missing from the table fails the suite, so a new route is never left open
by accident; each (route, role) pair is a real request on a real dossier of commune C01."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from engine.catalogue.folders import read_folder
from tests.api.journeys import APPLICANT
from tests.api.journeys import NEWBORN_STEPS
from tests.api.journeys import Desk

ROLES: dict[str, str | None] = {
    "anonymous": None,
    "reception": "tiepnhan1",
    "civil_status": "hotich1",
    "commune_police": "congan1",
    "social_insurance": "bhxh1",
    "labour_social": "ldxh1",
    "leader": "lanhdao1",
    "designer": "thietke",
    "external_system": "lienthong",
    "admin": "admin",
    "c02_reception": "tiepnhan2",
    "c02_civil_status": "hotich2",
    "c02_leader": "lanhdao2",
}
"""Demo users standing for each role; the c02_ ones work in commune C02, every dossier and task
in these tests belongs to C01 (the designer and the external system work at province P01, which
C01 is part of, and still see none of its dossiers)."""

EVERYONE = frozenset(ROLES)
STAFF = EVERYONE - {"anonymous"}
C01_STAFF = frozenset(
    {"reception", "civil_status", "commune_police", "social_insurance", "labour_social", "leader"}
)
SEES_C01 = C01_STAFF | {"admin"}
"""Dossiers are visible to staff of their units and of the province above, not to designers, who
draw procedures and see no citizen's data (visibility.py)."""
RECEPTION = frozenset({"reception", "admin"})
ANY_RECEPTION = RECEPTION | {"c02_reception"}
"""Receiving has no administrative boundary: C02's desk receives into its own unit."""
ENDS = frozenset({"reception", "leader", "admin"})
ADMIN = frozenset({"admin"})
HANDS_ON = frozenset({"leader", "admin", "reception"})
"""Reassigning the open check_dossier task: the leader (and admin) may; reception holds the
step's role, so it gets through and is refused by the task's state (409: claim it first)."""
DESIGNERS = frozenset({"designer", "admin"})
STUDIO_READERS = DESIGNERS | {"leader", "c02_leader"}
"""Leaders read a procedure's versions, draft and diagrams (to compare); only designers change
them."""
UNSAVABLE_DRAFT = {"files": {"ghi-chu.txt": "x"}, "metadata": {}, "base_hash": None}
"""Refused (422) after the caller got through: a draft file must be .bpmn, .dmn or .form.json."""
C01_FIGURES = frozenset({"leader", "admin"})
ALL_FIGURES = C01_FIGURES | {"c02_leader"}
"""Leaders read the figures of the units they lead (a province's leader the province), admins
all; without a unit every leader gets their own units' figures. Casework roles, designers and
other agencies' systems get none."""
EXTERNAL_SYSTEMS = frozenset({"external_system", "admin"})
"""Other agencies' systems deliver messages to dossiers (and read none of them)."""
FORBIDDEN_FLASH = re.compile(
    r"you may not|needs the role|needs one of the roles|belongs to another unit|only reception"
)
"""The engine's Forbidden details, which page commands flash before sending the user back."""
PROCESSES = Path(__file__).resolve().parents[2] / "processes"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
DECISION_TRIAL = {
    "files": {
        "fees.dmn": (
            Path(__file__).resolve().parents[1] / "data" / "constructs" / "sandbox_dmn.dmn"
        ).read_text()
    },
    "decision_id": "fee_by_age",
    "inputs": {"age": 30},
}


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    json: Any = None
    data: Any = None
    query: dict[str, Any] | None = None


@dataclass
class World:
    """What a request needs, made on first use: a newborn dossier received at C01, its tasks,
    a document, a webhook subscription, an imported dossier."""

    desk: Desk
    made: dict[str, Any] = field(default_factory=dict)

    def _once(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.made:
            self.made[key] = make()
        return self.made[key]

    @property
    def dossier(self) -> int:
        return int(self._once("dossier", lambda: self.desk.receive()["id"]))

    def task(self, element_id: str) -> int:
        """The open task for `element_id`, completing the steps before it on the main path."""
        if element_id == "verify_beneficiary":
            allowance = self._once("allowance", lambda: self.desk.receive("social_allowance"))
            return int(allowance["tasks"][0]["id"])
        before = {
            "check_dossier": [],
            "register_birth": ["check_dossier"],
            "register_residence": ["check_dossier", "register_birth"],
            "issue_health_insurance_card": ["check_dossier", "register_birth"],
        }[element_id]
        self._once(f"steps:{element_id}", lambda: self.desk.work_newborn(self.dossier, *before))
        return self.desk.task_id(self.dossier, element_id)

    def supplement_requested(self) -> int:
        def ask() -> None:
            response = self.desk.post(
                f"/api/v1/dossiers/{self.dossier}/supplement-request",
                {"reason": "Thiếu giấy chứng sinh", "items": ["Giấy chứng sinh"]},
                by="tiepnhan1",
            )
            assert response.status_code == 200, response.json

        self._once("supplement_requested", ask)
        return self.dossier

    @property
    def attachment(self) -> int:
        def upload() -> int:
            response = self.desk.client.post(
                f"/api/v1/dossiers/{self.dossier}/attachments",
                data={"files": [(io.BytesIO(PDF), "giay-chung-sinh.pdf")]},
                headers=self.desk.headers("tiepnhan1"),
                content_type="multipart/form-data",
            )
            assert response.status_code == 201, response.json
            return int(response.json[0]["id"])

        return int(self._once("attachment", upload))

    @property
    def webhook(self) -> int:
        def subscribe() -> int:
            response = self.desk.post("/api/v1/webhooks", WEBHOOK, by="admin")
            assert response.status_code == 201, response.json
            return int(response.json["id"])

        return int(self._once("webhook", subscribe))

    @property
    def imported(self) -> dict[str, Any]:
        """An import body that tiepnhan1 already sent once: replaying it answers the dossier."""

        def first() -> dict[str, Any]:
            response = self.desk.post("/api/v1/dossiers/import", IMPORT, by="tiepnhan1")
            assert response.status_code == 201, response.json
            return IMPORT

        return dict(self._once("imported", first))

    @property
    def tracking(self) -> dict[str, str]:
        dossier = self.desk.dossier(self.dossier)
        return {"code": dossier["code"], "key": dossier["lookup_key"]}


WEBHOOK = {"url": "https://lienthong.example.vn/hook", "secret": "s" * 32}
IMPORT = {
    "idempotency_key": "dvcqg-2026-000123",
    "source_system": "dvcqg",
    "external_code": "G22.99-260301-0001",
    "procedure_code": "newborn_bundle",
    "applicant": APPLICANT,
    "channel": "online",
    "unit": "C01",
}
RECEIVE = {"procedure_code": "newborn_bundle", "channel": "in_person", "applicant": APPLICANT}
PAGE_RECEIVE = {
    "procedure_code": "newborn_bundle",
    "channel": "in_person",
    "applicant.full_name": APPLICANT["full_name"],
    "applicant.id_number": APPLICANT["id_number"],
    "delivery_method": "in_person",
}
NEW_USER = {
    "username": "hotich9",
    "password": "mat-khau-du-dai-123",
    "full_name": "Trần Thị Chín",
    "roles": [{"role": "civil_status", "unit": "C01"}],
}
APOLOGY = {"reason": "Chờ xác minh thêm", "new_due_at": "2027-12-31T17:00:00+07:00"}
SUPPLEMENT_REQUEST = {"reason": "Thiếu giấy chứng sinh", "items": ["Giấy chứng sinh"]}
MESSAGE = {
    "name": "verification_answer",
    "correlation": {"dossier_code": "C01-000000-0000"},
    "message_id": "ma-tran-1",
}
"""No dossier waits for it: those who get through are answered 404."""
TODAY = date.today().isoformat()
NO_INCIDENT = 999_999
"""The seeded data holds no incident: administrators get a 404, everyone else is refused first."""
NO_USER = 999_999
"""Nor such a user: changing a real account here would end the tokens other cases use."""
WRONG_PASSWORD_CHANGE = {"current_password": "khong-dung", "new_password": "mat-khau-moi-dai"}
"""Refused with 422 after the caller got through: the demo accounts keep their passwords."""

Build = Callable[[World, str], Call]


@dataclass(frozen=True)
class Case:
    """One request shape on a route; `allowed` roles must get through, every other role must be
    refused. `writes`: an allowed call changes the dossier, so the next role gets a fresh one."""

    allowed: frozenset[str]
    build: Build
    writes: bool = False
    label: str = ""


def get(url: Callable[[World], str], **query: Any) -> Build:
    return lambda world, _role: Call("GET", url(world), query=query or None)


def post(url: Callable[[World], str], json: Any = None, *, data: Any = None) -> Build:
    return lambda world, _role: Call("POST", url(world), json=json, data=data)


def patch(url: Callable[[World], str], json: Any) -> Build:
    return lambda world, _role: Call("PATCH", url(world), json=json)


def put(url: Callable[[World], str], json: Any) -> Build:
    return lambda world, _role: Call("PUT", url(world), json=json)


def delete(url: Callable[[World], str]) -> Build:
    return lambda world, _role: Call("DELETE", url(world))


def dossier_url(suffix: str = "") -> Callable[[World], str]:
    return lambda world: f"/api/v1/dossiers/{world.dossier}{suffix}"


def task_url(suffix: str = "", element_id: str = "check_dossier") -> Callable[[World], str]:
    return lambda world: f"/api/v1/tasks/{world.task(element_id)}{suffix}"


def page_dossier(suffix: str = "") -> Callable[[World], str]:
    return lambda world: f"/dossiers/{world.dossier}{suffix}"


def page_task(suffix: str = "", element_id: str = "check_dossier") -> Callable[[World], str]:
    return lambda world: f"/tasks/{world.task(element_id)}{suffix}"


def complete_step(element_id: str, role: str, *, page: bool = False) -> Case:
    """Completing a step: only its lane's role in C01 (and the administrator)."""
    data = (
        {"beneficiary_group": "elderly_80", "verified_in_population_db": True, "eligible": "yes"}
        if element_id == "verify_beneficiary"
        else NEWBORN_STEPS[element_id][1]
    )
    if page:
        build = post(page_task("/complete", element_id), data={"data": json.dumps(data)})
    else:
        build = post(task_url("/complete", element_id), {"data": data})
    return Case(frozenset({role, "admin"}), build, writes=True, label=element_id)


def claim_step(element_id: str, role: str, *, page: bool = False) -> Case:
    url = page_task("/claim", element_id) if page else task_url("/claim", element_id)
    return Case(frozenset({role, "admin"}), post(url), writes=True, label=element_id)


def _csrf_token(response: TestResponse) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


def _login_as(role: str) -> Call:
    username = ROLES[role] or "tiepnhan1"
    password = "admin" if username == "admin" else "demo"
    return Call("POST", "/api/v1/auth/login", json={"username": username, "password": password})


def _page_login_as(world: World, role: str) -> Call:
    call = _login_as(role)
    return Call("POST", "/login", data=call.json)


def _attachments_upload(url: Callable[[World], str]) -> Build:
    return lambda world, _role: Call(
        "POST", url(world), data={"files": [(io.BytesIO(PDF), "to-khai.pdf")]}
    )


def _procedure_upload(url: str) -> Build:
    def build(world: World, _role: str) -> Call:
        meta, files = read_folder(PROCESSES / "newborn_bundle")
        data = {
            "metadata": json.dumps(dict(meta.__dict__)),
            "files": [(io.BytesIO(content), name) for name, content in files.items()],
        }
        return Call("POST", url, data=data)

    return build


API = "/api/v1"
ACCESS: dict[tuple[str, str], list[Case]] = {
    # public
    ("POST", f"{API}/auth/login"): [Case(EVERYONE, lambda _w, role: _login_as(role))],
    ("GET", f"{API}/openapi.json"): [Case(EVERYONE, get(lambda w: f"{API}/openapi.json"))],
    ("GET", f"{API}/docs"): [Case(EVERYONE, get(lambda w: f"{API}/docs"))],
    ("GET", f"{API}/tracking"): [
        Case(EVERYONE, lambda w, _r: Call("GET", f"{API}/tracking", query=w.tracking))
    ],
    ("GET", "/static/ui/<path:filename>"): [
        Case(EVERYONE, get(lambda w: "/static/ui/css/app.css"))
    ],
    ("GET", "/static/vendor/<string:package>/<path:filename>"): [
        Case(EVERYONE, get(lambda w: "/static/vendor/bpmn-js/bpmn-viewer.production.min.js"))
    ],
    ("GET", "/static/swagger-ui/<path:filename>"): [
        Case(EVERYONE, get(lambda w: "/static/swagger-ui/swagger-ui.css"))
    ],
    ("GET", "/login"): [Case(EVERYONE, get(lambda w: "/login"))],
    ("GET", "/tra-cuu"): [Case(EVERYONE, lambda w, _r: Call("GET", "/tra-cuu", query=w.tracking))],
    ("POST", "/login"): [Case(EVERYONE, _page_login_as)],
    ("POST", "/logout"): [Case(EVERYONE, post(lambda w: "/logout"))],
    # any logged-in user
    ("GET", f"{API}/auth/me"): [Case(STAFF, get(lambda w: f"{API}/auth/me"))],
    ("POST", f"{API}/auth/logout"): [Case(STAFF, post(lambda w: f"{API}/auth/logout"))],
    ("POST", f"{API}/auth/password"): [
        Case(STAFF, post(lambda w: f"{API}/auth/password", WRONG_PASSWORD_CHANGE))
    ],
    ("GET", f"{API}/calendar/due"): [
        Case(
            STAFF,
            get(lambda w: f"{API}/calendar/due", start="2026-02-13T10:00:00+07:00", working_days=5),
        )
    ],
    ("GET", f"{API}/units"): [Case(STAFF, get(lambda w: f"{API}/units"))],
    ("GET", f"{API}/procedures"): [Case(STAFF, get(lambda w: f"{API}/procedures"))],
    ("GET", f"{API}/procedures/<string:code>"): [
        Case(STAFF, get(lambda w: f"{API}/procedures/newborn_bundle"))
    ],
    ("GET", f"{API}/procedures/<string:code>/archive"): [
        Case(STAFF, get(lambda w: f"{API}/procedures/newborn_bundle/archive"))
    ],
    ("GET", f"{API}/dossiers"): [Case(STAFF, get(lambda w: f"{API}/dossiers"))],
    ("GET", f"{API}/tasks"): [Case(STAFF, get(lambda w: f"{API}/tasks", scope="candidate"))],
    ("GET", f"{API}/tasks/counts"): [Case(STAFF, get(lambda w: f"{API}/tasks/counts"))],
    ("GET", "/"): [Case(STAFF, get(lambda w: "/"))],
    ("GET", "/dossiers"): [Case(STAFF, get(lambda w: "/dossiers?q=C01"))],
    ("GET", "/account/password"): [Case(STAFF, get(lambda w: "/account/password"))],
    ("POST", "/account/password"): [
        Case(
            STAFF,
            post(
                lambda w: "/account/password",
                data={
                    **WRONG_PASSWORD_CHANGE,
                    "repeat_password": WRONG_PASSWORD_CHANGE["new_password"],
                },
            ),
        )
    ],
    # designers
    ("POST", f"{API}/procedures"): [
        Case(DESIGNERS, _procedure_upload(f"{API}/procedures"), writes=True)
    ],
    ("POST", f"{API}/procedures/check-expression"): [
        Case(
            DESIGNERS,
            post(
                lambda w: f"{API}/procedures/check-expression",
                {"expression": 'eligible == "yes"', "kind": "condition"},
            ),
        )
    ],
    ("POST", f"{API}/procedures/validate"): [
        Case(DESIGNERS, _procedure_upload(f"{API}/procedures/validate"))
    ],
    ("POST", f"{API}/decisions/evaluate"): [
        Case(DESIGNERS, post(lambda w: f"{API}/decisions/evaluate", DECISION_TRIAL))
    ],
    ("GET", f"{API}/procedures/<string:code>/versions"): [
        Case(STUDIO_READERS, get(lambda w: f"{API}/procedures/newborn_bundle/versions"))
    ],
    ("GET", f"{API}/procedures/<string:code>/heatmap"): [
        Case(STUDIO_READERS, get(lambda w: f"{API}/procedures/newborn_bundle/heatmap"))
    ],
    ("GET", f"{API}/procedures/<string:code>/versions/compare"): [
        Case(STUDIO_READERS, get(lambda w: f"{API}/procedures/newborn_bundle/versions/compare"))
    ],
    ("GET", f"{API}/procedures/<string:code>/hints"): [
        Case(STUDIO_READERS, get(lambda w: f"{API}/procedures/newborn_bundle/hints"))
    ],
    ("POST", f"{API}/procedures/<string:code>/draft/simulate"): [
        Case(STUDIO_READERS, post(lambda w: f"{API}/procedures/newborn_bundle/draft/simulate", {}))
    ],
    ("GET", f"{API}/procedures/<string:code>/draft"): [
        Case(STUDIO_READERS, get(lambda w: f"{API}/procedures/newborn_bundle/draft"))
    ],
    ("PUT", f"{API}/procedures/<string:code>/draft"): [
        Case(DESIGNERS, put(lambda w: f"{API}/procedures/newborn_bundle/draft", UNSAVABLE_DRAFT))
    ],
    ("DELETE", f"{API}/procedures/<string:code>/draft"): [
        Case(DESIGNERS, delete(lambda w: f"{API}/procedures/newborn_bundle/draft"))
    ],
    ("POST", f"{API}/procedures/<string:code>/draft/validate"): [
        Case(DESIGNERS, post(lambda w: f"{API}/procedures/newborn_bundle/draft/validate"))
    ],
    ("POST", f"{API}/procedures/<string:code>/draft/publish"): [
        Case(
            DESIGNERS,
            post(lambda w: f"{API}/procedures/newborn_bundle/draft/publish", {"note": "Sửa"}),
        )
    ],
    ("GET", f"{API}/procedures/<string:code>/diff"): [
        Case(STUDIO_READERS, get(lambda w: f"{API}/procedures/newborn_bundle/diff?from=1&to=99"))
    ],
    ("GET", f"{API}/procedures/<string:code>/migrations/preview"): [
        Case(
            STUDIO_READERS,
            get(lambda w: f"{API}/procedures/newborn_bundle/migrations/preview?to=99"),
        )
    ],
    ("POST", f"{API}/procedures/<string:code>/migrations/preview"): [
        Case(
            STUDIO_READERS,
            post(lambda w: f"{API}/procedures/newborn_bundle/migrations/preview", {"to": 99}),
        )
    ],
    ("POST", f"{API}/procedures/<string:code>/migrations"): [
        Case(DESIGNERS, post(lambda w: f"{API}/procedures/newborn_bundle/migrations", {"to": 99}))
    ],
    ("GET", f"{API}/migration-jobs/<int:job_id>"): [
        Case(STUDIO_READERS, get(lambda w: f"{API}/migration-jobs/999999"))
    ],
    ("POST", f"{API}/procedures/<string:code>/versions/<int:number>/retire"): [
        Case(DESIGNERS, post(lambda w: f"{API}/procedures/newborn_bundle/versions/99/retire", {}))
    ],
    ("POST", f"{API}/tasks/reassign-bulk"): [
        Case(
            frozenset({"leader", "c02_leader", "admin"}),
            post(
                lambda w: f"{API}/tasks/reassign-bulk",
                {"from_user": "hotich1", "to_user": "hotich2", "dry_run": True},
            ),
        )
    ],
    ("GET", "/studio"): [Case(STUDIO_READERS, get(lambda w: "/studio"))],
    ("GET", "/studio/<string:code>/compare"): [
        Case(STUDIO_READERS, get(lambda w: "/studio/newborn_bundle/compare"))
    ],
    ("GET", "/studio/<string:code>/migrate"): [
        Case(STUDIO_READERS, get(lambda w: "/studio/newborn_bundle/migrate"))
    ],
    ("POST", "/studio/<string:code>/migrate"): [
        Case(DESIGNERS, post(lambda w: "/studio/newborn_bundle/migrate", data={"to": "99"}))
    ],
    ("GET", "/studio/migrations/<int:job_id>"): [
        Case(STUDIO_READERS, get(lambda w: "/studio/migrations/999999"))
    ],
    ("GET", "/studio/<string:code>/versions/<int:number>/retire"): [
        Case(DESIGNERS, get(lambda w: "/studio/newborn_bundle/versions/1/retire"))
    ],
    ("POST", "/studio/<string:code>/versions/<int:number>/retire"): [
        Case(DESIGNERS, post(lambda w: "/studio/newborn_bundle/versions/99/retire", data={}))
    ],
    ("POST", "/studio/new"): [
        Case(DESIGNERS, post(lambda w: "/studio/new", data={"code": "Không hợp lệ"}))
    ],
    ("POST", "/studio/<string:code>/draft"): [
        Case(DESIGNERS, post(lambda w: "/studio/newborn_bundle/draft", UNSAVABLE_DRAFT))
    ],
    ("POST", "/studio/<string:code>/draft/discard"): [
        Case(DESIGNERS, post(lambda w: "/studio/newborn_bundle/draft/discard", {}))
    ],
    ("POST", "/studio/<string:code>/draft/publish"): [
        Case(DESIGNERS, post(lambda w: "/studio/newborn_bundle/draft/publish", {"note": "Sửa"}))
    ],
    # other agencies' systems
    ("POST", f"{API}/messages"): [
        Case(EXTERNAL_SYSTEMS, post(lambda w: f"{API}/messages", MESSAGE))
    ],
    # administrators
    ("POST", f"{API}/users"): [Case(ADMIN, post(lambda w: f"{API}/users", NEW_USER), writes=True)],
    ("GET", f"{API}/users"): [Case(ADMIN, get(lambda w: f"{API}/users"))],
    ("GET", "/api/v1/users/<int:user_id>"): [Case(ADMIN, get(lambda w: f"{API}/users/{NO_USER}"))],
    ("PATCH", "/api/v1/users/<int:user_id>"): [
        Case(ADMIN, patch(lambda w: f"{API}/users/{NO_USER}", {"is_active": False}))
    ],
    ("PUT", "/api/v1/users/<int:user_id>/roles"): [
        Case(
            ADMIN,
            put(
                lambda w: f"{API}/users/{NO_USER}/roles",
                {"roles": [{"role": "reception", "unit": "C01"}]},
            ),
        )
    ],
    ("POST", "/api/v1/users/<int:user_id>/unlock"): [
        Case(ADMIN, post(lambda w: f"{API}/users/{NO_USER}/unlock"))
    ],
    ("GET", "/users/new"): [Case(ADMIN, get(lambda w: "/users/new"))],
    ("POST", "/users/new"): [Case(ADMIN, post(lambda w: "/users/new", data={"username": ""}))],
    ("GET", "/users/<int:user_id>/roles"): [Case(ADMIN, get(lambda w: f"/users/{NO_USER}/roles"))],
    ("POST", "/users/<int:user_id>/roles"): [
        Case(ADMIN, post(lambda w: f"/users/{NO_USER}/roles", data={"role.00": ""}))
    ],
    ("POST", "/users/<int:user_id>/unlock"): [
        Case(ADMIN, post(lambda w: f"/users/{NO_USER}/unlock"))
    ],
    ("POST", "/api/v1/users/<int:user_id>/password"): [
        Case(
            ADMIN,
            post(lambda w: f"{API}/users/{NO_USER}/password", {"new_password": "mat-khau-moi-dai"}),
        )
    ],
    ("GET", f"{API}/webhooks"): [Case(ADMIN, get(lambda w: f"{API}/webhooks"))],
    ("POST", f"{API}/webhooks"): [
        Case(ADMIN, post(lambda w: f"{API}/webhooks", WEBHOOK), writes=True)
    ],
    ("DELETE", "/api/v1/webhooks/<int:subscription_id>"): [
        Case(
            ADMIN,
            lambda w, _r: Call("DELETE", f"{API}/webhooks/{w.webhook}"),
            writes=True,
        )
    ],
    ("GET", "/api/v1/webhooks/<int:subscription_id>/deliveries"): [
        Case(ADMIN, get(lambda w: f"{API}/webhooks/{w.webhook}/deliveries"))
    ],
    ("GET", f"{API}/audit"): [Case(ADMIN, get(lambda w: f"{API}/audit"))],
    ("GET", f"{API}/incidents"): [Case(ADMIN, get(lambda w: f"{API}/incidents"))],
    ("GET", "/api/v1/incidents/<int:incident_id>"): [
        Case(ADMIN, get(lambda w: f"{API}/incidents/{NO_INCIDENT}"))
    ],
    ("POST", "/api/v1/incidents/<int:incident_id>/retry"): [
        Case(ADMIN, post(lambda w: f"{API}/incidents/{NO_INCIDENT}/retry"))
    ],
    ("GET", "/incidents"): [Case(ADMIN, get(lambda w: "/incidents"))],
    ("GET", "/analytics/procedures/<string:code>"): [
        Case(STUDIO_READERS, get(lambda w: "/analytics/procedures/social_allowance"))
    ],
    ("GET", "/analytics/procedures/<string:code>/what-if"): [
        Case(STUDIO_READERS, get(lambda w: "/analytics/procedures/social_allowance/what-if"))
    ],
    ("POST", "/analytics/procedures/<string:code>/what-if"): [
        Case(STUDIO_READERS, post(lambda w: "/analytics/procedures/social_allowance/what-if", {}))
    ],
    ("GET", "/studio/<code>/edit"): [
        Case(STUDIO_READERS, get(lambda w: "/studio/social_allowance/edit"))
    ],
    ("POST", "/studio/<code>/validate"): [
        Case(DESIGNERS, post(lambda w: "/studio/social_allowance/validate"))
    ],
    ("POST", "/studio/<code>/check-expression"): [
        Case(DESIGNERS, post(lambda w: "/studio/social_allowance/check-expression"))
    ],
    ("POST", "/studio/<code>/decisions/evaluate"): [
        Case(DESIGNERS, post(lambda w: "/studio/social_allowance/decisions/evaluate"))
    ],
    ("GET", "/users"): [Case(ADMIN, get(lambda w: "/users"))],
    ("GET", "/users/<int:user_id>/disable"): [
        Case(ADMIN, get(lambda w: f"/users/{NO_USER}/disable"))
    ],
    ("POST", "/users/<int:user_id>/disable"): [
        Case(ADMIN, post(lambda w: f"/users/{NO_USER}/disable"))
    ],
    ("POST", "/users/<int:user_id>/enable"): [
        Case(ADMIN, post(lambda w: f"/users/{NO_USER}/enable"))
    ],
    ("GET", "/users/<int:user_id>/password"): [
        Case(ADMIN, get(lambda w: f"/users/{NO_USER}/password"))
    ],
    ("POST", "/users/<int:user_id>/password"): [
        Case(
            ADMIN,
            post(
                lambda w: f"/users/{NO_USER}/password",
                data={"new_password": "mat-khau-moi-dai", "repeat_password": "mat-khau-moi-dai"},
            ),
        )
    ],
    ("POST", "/incidents/<int:incident_id>/retry"): [
        Case(ADMIN, post(lambda w: f"/incidents/{NO_INCIDENT}/retry"))
    ],
    # reception desks
    ("POST", f"{API}/dossiers"): [
        Case(ANY_RECEPTION, post(lambda w: f"{API}/dossiers", RECEIVE), writes=True)
    ],
    ("POST", f"{API}/dossiers/import"): [
        Case(
            RECEPTION,
            lambda w, _r: Call("POST", f"{API}/dossiers/import", json=w.imported),
            label="replayed key",
        )
    ],
    ("GET", "/reception"): [Case(ANY_RECEPTION, get(lambda w: "/reception"))],
    ("POST", "/reception"): [
        Case(ANY_RECEPTION, post(lambda w: "/reception", data=PAGE_RECEIVE), writes=True)
    ],
    # reading one C01 dossier and what hangs from it
    ("GET", "/api/v1/dossiers/<int:dossier_id>"): [Case(SEES_C01, get(dossier_url()))],
    ("GET", "/api/v1/dossiers/<int:dossier_id>/attachments"): [
        Case(SEES_C01, get(dossier_url("/attachments")))
    ],
    ("GET", "/api/v1/attachments/<int:attachment_id>"): [
        Case(SEES_C01, get(lambda w: f"{API}/attachments/{w.attachment}"))
    ],
    ("GET", "/api/v1/dossiers/<int:dossier_id>/notices"): [
        Case(SEES_C01, get(dossier_url("/notices")))
    ],
    ("GET", "/api/v1/dossiers/<int:dossier_id>/slips/<form>"): [
        Case(SEES_C01, get(dossier_url("/slips/01")))
    ],
    ("GET", "/api/v1/dossiers/<int:dossier_id>/letter"): [
        Case(SEES_C01, get(dossier_url("/letter")))
    ],
    ("GET", f"{API}/stats"): [
        Case(C01_FIGURES, get(lambda w: f"{API}/stats", unit="C01")),
        Case(ALL_FIGURES, get(lambda w: f"{API}/stats"), label="own units"),
    ],
    ("GET", f"{API}/stats/procedures"): [
        Case(C01_FIGURES, get(lambda w: f"{API}/stats/procedures", unit="C01")),
        Case(ALL_FIGURES, get(lambda w: f"{API}/stats/procedures"), label="own units"),
    ],
    ("GET", f"{API}/stats/trend"): [
        Case(C01_FIGURES, get(lambda w: f"{API}/stats/trend", unit="C01")),
        Case(ALL_FIGURES, get(lambda w: f"{API}/stats/trend"), label="own units"),
    ],
    ("GET", f"{API}/stats/index"): [
        Case(C01_FIGURES, get(lambda w: f"{API}/stats/index", unit="C01")),
        Case(ALL_FIGURES, get(lambda w: f"{API}/stats/index"), label="own units"),
    ],
    ("GET", f"{API}/stats/dossiers"): [
        Case(C01_FIGURES, get(lambda w: f"{API}/stats/dossiers", unit="C01", figure="late")),
        Case(ALL_FIGURES, get(lambda w: f"{API}/stats/dossiers", figure="late"), label="own units"),
    ],
    ("GET", "/analytics"): [
        Case(C01_FIGURES, get(lambda w: "/analytics", unit="C01")),
        Case(ALL_FIGURES, get(lambda w: "/analytics"), label="own units"),
    ],
    ("GET", "/analytics/dossiers"): [
        Case(ALL_FIGURES, get(lambda w: "/analytics/dossiers", figure="late"), label="own units")
    ],
    ("GET", f"{API}/registers/06"): [
        Case(SEES_C01, get(lambda w: f"{API}/registers/06", unit="C01", to=TODAY))
    ],
    ("GET", "/dossiers/<int:dossier_id>"): [Case(SEES_C01, get(page_dossier()))],
    ("GET", "/api/v1/tasks/<int:task_id>"): [Case(SEES_C01, get(task_url()))],
    ("GET", "/api/v1/tasks/<int:task_id>/diagram"): [Case(SEES_C01, get(task_url("/diagram")))],
    ("GET", "/api/v1/tasks/<int:task_id>/colleagues"): [
        Case(SEES_C01, get(task_url("/colleagues")))
    ],
    ("GET", "/tasks/<int:task_id>"): [Case(SEES_C01, get(page_task()))],
    # adding documents: anyone who may see the dossier
    ("POST", "/api/v1/dossiers/<int:dossier_id>/attachments"): [
        Case(SEES_C01, _attachments_upload(dossier_url("/attachments")), writes=True)
    ],
    ("POST", "/dossiers/<int:dossier_id>/attachments"): [
        Case(SEES_C01, _attachments_upload(page_dossier("/attachments")), writes=True)
    ],
    # lifecycle of the dossier (WHO_MAY in engine/dossier_access.py); the check_dossier step is
    # open in the reception lane, so reception is also its task holder
    ("POST", "/api/v1/dossiers/<int:dossier_id>/supplement-request"): [
        Case(RECEPTION, post(dossier_url("/supplement-request"), SUPPLEMENT_REQUEST), writes=True)
    ],
    ("POST", "/api/v1/dossiers/<int:dossier_id>/supplement"): [
        Case(
            RECEPTION,
            lambda w, _r: Call(
                "POST", f"{API}/dossiers/{w.supplement_requested()}/supplement", json={}
            ),
            writes=True,
        )
    ],
    ("POST", "/api/v1/dossiers/<int:dossier_id>/refuse"): [
        Case(ENDS, post(dossier_url("/refuse"), {"reason": "Không đủ điều kiện"}), writes=True)
    ],
    ("POST", "/api/v1/dossiers/<int:dossier_id>/withdraw"): [
        Case(ENDS, post(dossier_url("/withdraw"), {"reason": "Công dân xin rút"}), writes=True)
    ],
    ("POST", "/api/v1/dossiers/<int:dossier_id>/stop"): [
        Case(ENDS, post(dossier_url("/stop"), {"reason": "Dừng xử lý"}), writes=True)
    ],
    ("POST", "/api/v1/dossiers/<int:dossier_id>/apology"): [
        Case(ENDS, post(dossier_url("/apology"), APOLOGY), writes=True)
    ],
    ("POST", "/api/v1/dossiers/<int:dossier_id>/return"): [
        Case(RECEPTION, post(dossier_url("/return"), {"method": "in_person"}), writes=True)
    ],
    ("POST", "/api/v1/dossiers/<int:dossier_id>/fee-request"): [
        Case(RECEPTION, post(dossier_url("/fee-request"), {}), writes=True)
    ],
    ("POST", "/api/v1/dossiers/<int:dossier_id>/fee"): [
        Case(
            RECEPTION,
            post(dossier_url("/fee"), {"paid": True, "receipt_number": "BL-01"}),
            writes=True,
        )
    ],
    ("POST", "/dossiers/<int:dossier_id>/supplement-request"): [
        Case(
            RECEPTION,
            post(page_dossier("/supplement-request"), data={"reason": "Thiếu", "items": "Giấy"}),
            writes=True,
        )
    ],
    ("POST", "/dossiers/<int:dossier_id>/supplement"): [
        Case(
            RECEPTION,
            lambda w, _r: Call(
                "POST", f"/dossiers/{w.supplement_requested()}/supplement", data={"note": "Đủ"}
            ),
            writes=True,
        )
    ],
    ("POST", "/dossiers/<int:dossier_id>/fee-request"): [
        Case(RECEPTION, post(page_dossier("/fee-request"), data={}), writes=True)
    ],
    ("POST", "/dossiers/<int:dossier_id>/fee"): [
        Case(RECEPTION, post(page_dossier("/fee"), data={"receipt_number": "BL-01"}), writes=True)
    ],
    ("POST", "/dossiers/<int:dossier_id>/refuse"): [
        Case(ENDS, post(page_dossier("/refuse"), data={"reason": "Không đủ"}), writes=True)
    ],
    ("POST", "/dossiers/<int:dossier_id>/apology"): [
        Case(
            ENDS,
            post(page_dossier("/apology"), data={"reason": "Chờ", "new_due_date": "2027-12-31"}),
            writes=True,
        )
    ],
    ("POST", "/dossiers/<int:dossier_id>/return"): [
        Case(RECEPTION, post(page_dossier("/return"), data={"method": "in_person"}), writes=True)
    ],
    # working tasks: the lane's role in the task's unit; reassigning: the unit's leader
    ("POST", "/api/v1/tasks/<int:task_id>/claim"): [
        claim_step("check_dossier", "reception"),
        claim_step("register_birth", "civil_status"),
        claim_step("register_residence", "commune_police"),
        claim_step("issue_health_insurance_card", "social_insurance"),
        claim_step("verify_beneficiary", "labour_social"),
    ],
    ("POST", "/api/v1/tasks/<int:task_id>/complete"): [
        complete_step("check_dossier", "reception"),
        complete_step("register_birth", "civil_status"),
        complete_step("register_residence", "commune_police"),
        complete_step("issue_health_insurance_card", "social_insurance"),
        complete_step("verify_beneficiary", "labour_social"),
    ],
    ("POST", "/api/v1/tasks/<int:task_id>/release"): [
        Case(RECEPTION, post(task_url("/release"), {"note": ""}), writes=True)
    ],
    ("POST", "/api/v1/tasks/<int:task_id>/reassign"): [
        Case(
            HANDS_ON,
            post(task_url("/reassign"), {"assignee": "tiepnhan1", "note": "Giao lại"}),
            writes=True,
        )
    ],
    ("POST", "/tasks/<int:task_id>/claim"): [
        claim_step("check_dossier", "reception", page=True),
        claim_step("register_birth", "civil_status", page=True),
    ],
    ("POST", "/tasks/<int:task_id>/complete"): [
        complete_step("check_dossier", "reception", page=True),
        complete_step("register_birth", "civil_status", page=True),
    ],
    ("POST", "/tasks/<int:task_id>/release"): [
        Case(RECEPTION, post(page_task("/release"), data={"note": ""}), writes=True)
    ],
    ("POST", "/tasks/<int:task_id>/reassign"): [
        Case(
            HANDS_ON,
            post(page_task("/reassign"), data={"assignee": "tiepnhan1", "note": "Giao"}),
            writes=True,
        )
    ],
}


def app_routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }


def test_every_route_of_the_app_has_its_intended_access_written_down(app):
    """A route added without a line in ACCESS fails here: decide who may call it first."""
    routes = app_routes(app)
    assert sorted(routes - ACCESS.keys()) == [], "routes missing from ACCESS"
    assert sorted(ACCESS.keys() - routes) == [], "ACCESS lists routes the app no longer has"


class Caller:
    """Sends a Call as a role: the API with the role's bearer token, pages with a logged-in page
    session (one client per role, with its CSRF token); and says whether it got through."""

    def __init__(self, app: Flask, desk: Desk) -> None:
        self.app = app
        self.desk = desk
        self.page_clients: dict[str, tuple[FlaskClient, str]] = {}

    def send(self, call: Call, role: str) -> tuple[str, str]:
        if is_page(("", call.url)):
            return self._page(call, role)
        return self._api(call, role)

    def _api(self, call: Call, role: str) -> tuple[str, str]:
        username = ROLES[role]
        headers = self.desk.headers(username) if username else {}
        client = self.app.test_client()
        response = client.open(
            call.url,
            method=call.method,
            headers=headers,
            json=call.json,
            data=call.data,
            query_string=call.query,
        )
        with response:
            return api_outcome(response), _said(response)

    def _page_client(self, role: str) -> tuple[FlaskClient, str]:
        if role not in self.page_clients:
            client = self.app.test_client()
            token = _csrf_token(client.get("/login"))
            username = ROLES[role]
            if username:
                login = _login_as(role)
                response = client.post("/login", data={"csrf_token": token, **login.json})
                assert response.status_code == 302, response.get_data(as_text=True)
                token = _csrf_token(client.get("/"))
            self.page_clients[role] = (client, token)
        return self.page_clients[role]

    def _page(self, call: Call, role: str) -> tuple[str, str]:
        client, token = self._page_client(role)
        if call.json is not None:  # the studio's JSON endpoints: the token rides in a header
            response = client.open(
                call.url, method=call.method, json=call.json, headers={"X-CSRFToken": token}
            )
        else:
            data = call.data
            if call.method == "POST":
                data = {"csrf_token": token, **(call.data or {})}
            response = client.open(call.url, method=call.method, data=data, query_string=call.query)
        said = _said(response)
        response.close()
        with client.session_transaction() as session:
            flashes = session.pop("_flashes", [])
        if call.url in ("/login", "/logout"):
            self.page_clients.pop(role)
        return page_outcome(response, flashes), f"{said} {flashes}"


def api_outcome(response: TestResponse) -> str:
    """'allowed' covers success and domain refusals (404, 409, 422): the caller got through."""
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code == 401:
        return "unauthenticated"
    if response.status_code == 403:
        return "forbidden"
    return "allowed"


def page_outcome(response: TestResponse, flashes: list[tuple[str, str]]) -> str:
    assert response.status_code < 500, response.get_data(as_text=True)
    location = urlparse(response.headers.get("Location", "")).path
    if response.status_code == 302 and location == "/login" and "Đã đăng xuất." not in str(flashes):
        return "unauthenticated"
    if response.status_code == 401:  # a page's JSON endpoint answers without redirecting
        return "unauthenticated"
    if response.status_code == 403:
        return "forbidden"
    if any(kind == "error" and FORBIDDEN_FLASH.search(text) for kind, text in flashes):
        return "forbidden"
    return "allowed"


def _said(response: TestResponse) -> str:
    body = response.get_data().decode("utf-8", errors="replace")  # a zip or a PDF, say
    return f"{response.status_code} {body[:160]!r}"


def expected(case: Case, role: str) -> str:
    if role in case.allowed:
        return "allowed"
    return "unauthenticated" if role == "anonymous" else "forbidden"


@pytest.fixture
def caller(app, desk, tmp_path) -> Caller:
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    return Caller(app, desk)


def is_page(route: tuple[str, str]) -> bool:
    return not route[1].startswith(("/api/", "/static/"))


PAGE_ROUTES = sorted(
    (route for route in ACCESS if is_page(route)),
    key=lambda route: (route[1] in ("/login", "/logout"), route),
)
"""Logging in and out last: they end the page sessions the other page routes use."""


def mismatches_on(route: tuple[str, str], desk: Desk, caller: Caller) -> list[str]:
    found = []
    for case in ACCESS[route]:
        world = World(desk)
        for role in ROLES:
            outcome, said = caller.send(case.build(world, role), role)
            wanted = expected(case, role)
            if outcome != wanted:
                found.append(f"{route} {case.label} {role}: {outcome}, wanted {wanted}: {said}")
            if case.writes and outcome == "allowed":
                world = World(desk)
    return found


@pytest.mark.parametrize(
    "route",
    sorted(route for route in ACCESS if not is_page(route)),
    ids=lambda route: f"{route[0]} {route[1]}",
)
def test_each_role_gets_exactly_the_access_the_table_gives(route, desk, caller):
    """Every role, one request each: the allowed get through, the rest get 401/403."""
    assert mismatches_on(route, desk, caller) == []


def test_each_role_gets_exactly_the_access_the_table_gives_on_pages(desk, caller):
    """The same for the pages, in one test so that each role logs in once (argon2 is slow):
    refused page commands come back as a 403 page or a redirect flashing the refusal."""
    found = [line for route in PAGE_ROUTES for line in mismatches_on(route, desk, caller)]
    assert found == []


def test_lists_show_nothing_of_another_units_dossier(desk, caller):
    """Lists answer everyone, filtered: C02 staff see neither the C01 dossier nor its tasks."""
    dossier = desk.receive()
    for username in ("tiepnhan2", "hotich2", "lanhdao2"):
        listed = desk.get("/api/v1/dossiers", by=username).json
        assert dossier["code"] not in str(listed), username
        for scope in ("mine", "candidate"):
            tasks = desk.get("/api/v1/tasks", by=username, scope=scope).json
            assert dossier["code"] not in str(tasks), (username, scope)
    assert dossier["code"] in str(desk.get("/api/v1/dossiers", by="hotich1").json)
