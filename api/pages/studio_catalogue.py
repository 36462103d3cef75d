"""The designer studio's procedures page (/studio): every procedure with its versions and draft,
search, a new procedure from a blank diagram or the starter template; and the JSON endpoints the
modeler page saves, discards and publishes drafts through (session + X-CSRFToken header)."""

from __future__ import annotations

from math import ceil
from typing import Any

from flask import Blueprint
from flask import Response
from flask import g
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask_wtf.csrf import CSRFError
from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate

from api.auth import page_actor
from api.database import new_uow
from api.database import read_session
from api.errors import domain_problem
from api.errors import problem
from api.pages.common import actor
from api.pages.common import csrf
from api.pages.common import flatten_errors
from api.pages.common import label
from api.pages.common import load_form
from api.pages.common import page_blueprint
from api.pages.i18n import current_language
from api.schemas.base import StrictSchema
from api.schemas.catalogue import PublishOut
from api.schemas.studio import DraftIn
from api.schemas.studio import DraftPublishIn
from api.schemas.studio import DraftSavedOut
from engine.access.actors import require_role_anywhere
from engine.access.roles import FIELD_LABELS
from engine.catalogue.drafts import discard_draft
from engine.catalogue.drafts import publish_draft
from engine.catalogue.drafts import require_reader
from engine.catalogue.drafts import save_draft
from engine.catalogue.procedures import ProcedureMetadata
from engine.catalogue.starter import STARTS
from engine.catalogue.starter import start_procedure
from engine.errors import DomainError
from engine.errors import InvalidData
from engine.errors import Unauthenticated
from engine.queries.studio import studio_catalogue
from engine.rules.calendar import MAX_HOURS
from engine.rules.calendar import UNITS

blp = page_blueprint("pages_studio_catalogue")
drafts = Blueprint("pages_studio_drafts", __name__)
PER_PAGE = 20
STATUS_LABELS = {
    "draft": ("Bản nháp", "Draft"),
    "published": ("Đang áp dụng", "In force"),
    "superseded": ("Đã thay thế", "Superseded"),
    "retired": ("Ngừng dùng", "Retired"),
}
SOURCE_LABELS = {
    "disk": ("Thư mục processes/", "processes/ folder"),
    "api": ("API", "API"),
    "studio": ("Trình thiết kế", "Studio"),
}


class CatalogueQuery(Schema):
    q = fields.String(load_default="", validate=validate.Length(max=100))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))


class NewProcedureForm(StrictSchema):
    csrf_token = fields.String(load_only=True)
    code = fields.String(required=True, validate=validate.Length(min=2, max=60))
    name_vi = fields.String(required=True, validate=validate.Length(min=1, max=300))
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=300))
    field = fields.String(required=True, validate=validate.OneOf(list(FIELD_LABELS)))
    time_limit = fields.Integer(required=True, validate=validate.Range(min=0, max=MAX_HOURS))
    time_limit_unit = fields.String(load_default="days", validate=validate.OneOf(list(UNITS)))
    start = fields.String(load_default="starter", validate=validate.OneOf(list(STARTS)))


def modeler_url(code: str, version: int | None = None) -> str:
    """The modeler page (api/pages/studio.py); an older version opens read-only there."""
    return f"/studio/{code}/edit" + (f"?version={version}" if version is not None else "")


@blp.get("/studio")
def catalogue() -> str:
    return _render()


@blp.post("/studio/new")
def new_procedure() -> Any:
    """Create the new procedure's draft (nothing is published) and open it in the modeler."""
    require_role_anywhere(actor(), "designer")
    values = request.form.to_dict()
    try:
        form = load_form(NewProcedureForm(), values)
        form.pop("csrf_token", None)
        start = form.pop("start")
        with new_uow() as uow:
            draft = start_procedure(uow, actor(), ProcedureMetadata(**form), start)
    except InvalidData as error:
        return _render(values=values, errors=error.errors), 422
    return redirect(modeler_url(draft.code))


def _render(
    values: dict[str, Any] | None = None, errors: dict[str, list[str]] | None = None
) -> str:
    require_reader(actor())
    try:
        args = CatalogueQuery().load(request.args.to_dict())
    except ValidationError:
        args = CatalogueQuery().load({})
    offset = (args["page"] - 1) * PER_PAGE
    with read_session() as session:
        listed = studio_catalogue(session, text=args["q"], offset=offset, limit=PER_PAGE)
    current = actor()
    return render_template(
        "studio_catalogue.html",
        procedures=listed.items,
        total=listed.total,
        q=args["q"],
        page=args["page"],
        pages=max(1, ceil(listed.total / PER_PAGE)),
        may_edit=current.is_admin or current.holds_anywhere("designer"),
        fields=[(key, label(pair)) for key, pair in FIELD_LABELS.items()],
        values=values or {"time_limit_unit": "days", "start": "starter"},
        errors=errors or {},
        modeler_url=modeler_url,
        status_label=lambda status: label(STATUS_LABELS.get(status), status),
        source_label=lambda source: label(SOURCE_LABELS.get(source or ""), "—"),
        field_label=lambda field: label(FIELD_LABELS.get(field), field),
    )


# The modeler's JSON endpoints: problem details on every refusal, never an HTML page.


@drafts.before_request
def _designer_session() -> None:
    current_language()
    csrf.protect()
    found = page_actor()
    if found is None:
        raise Unauthenticated("log in first (đăng nhập trước)")
    require_role_anywhere(found, "designer")
    g.actor = found


@drafts.errorhandler(DomainError)
def _refused(error: DomainError) -> Response:
    return domain_problem(error)


@drafts.errorhandler(CSRFError)
def _no_token(error: CSRFError) -> Response:
    return problem(400, error.description or "CSRF token missing", "csrf_failed")


@drafts.post("/studio/<string:code>/draft")
def save(code: str) -> Response:
    body = _json(DraftIn())
    with new_uow() as uow:
        saved = save_draft(uow, actor(), code, body["files"], body["metadata"], body["base_hash"])
    return jsonify(DraftSavedOut().dump(saved))


@drafts.post("/studio/<string:code>/draft/discard")
def discard(code: str) -> Response:
    with new_uow() as uow:
        discard_draft(uow, actor(), code)
    return jsonify({"discarded": True, "code": code})


@drafts.post("/studio/<string:code>/draft/publish")
def publish(code: str) -> tuple[Response, int]:
    body = _json(DraftPublishIn())
    with new_uow() as uow:
        result = publish_draft(uow, actor(), code, body["note"], body["base_hash"])
    return jsonify(PublishOut().dump(result)), 201


def _json(schema: Schema) -> dict[str, Any]:
    """The request's JSON body through the API's schema; refusals name the fields (422)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidData("the body must be a JSON object", {"_": ["Cần một đối tượng JSON."]})
    try:
        loaded: dict[str, Any] = schema.load(body)
    except ValidationError as exc:
        raise InvalidData("the body is not valid", flatten_errors(exc.messages)) from exc
    return loaded
