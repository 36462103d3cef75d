"""The designer studio's modeler page, `/studio/<code>/edit`: bpmn-js with our properties panel,
live checks, forms and decision tables (the bundle built from ui/studio/). Designers edit,
leaders read; an older version (`?version=N`) opens read-only. Its validate endpoint checks the
edited files with the same engine function as POST /api/v1/procedures/validate."""

from __future__ import annotations

import json
from typing import Any

from flask import Response
from flask import jsonify
from flask import render_template
from flask import request
from flask import url_for
from flask_wtf.csrf import generate_csrf
from marshmallow import ValidationError
from sqlalchemy.orm import Session

from api.database import read_session
from api.errors import domain_problem
from api.errors import problem
from api.errors import problem_dict
from api.pages.common import actor
from api.pages.common import flatten_errors
from api.pages.common import label
from api.pages.common import page_blueprint
from api.pages.i18n import current_language
from api.schemas.catalogue import ProcedureMetadataIn
from api.schemas.decisions import DecisionTrialIn
from engine.access.actors import Actor
from engine.access.actors import require_role_anywhere
from engine.access.roles import FIELD_LABELS
from engine.access.roles import LANE_ROLES
from engine.access.roles import ROLE_LABELS
from engine.bpmn.connectors.registry import OPERATORS
from engine.bpmn.decisions import try_decision
from engine.catalogue.drafts import get_draft
from engine.catalogue.procedures import ProcedureMetadata
from engine.catalogue.procedures import check_expression
from engine.catalogue.procedures import validate
from engine.errors import DomainError
from engine.errors import Forbidden
from engine.errors import NotFound
from engine.errors import Problem
from engine.queries.modeler import modeler_source
from engine.views import DraftView

blp = page_blueprint("pages_studio")

OUTCOMES = ("result_returned", "processed", "refused")
"""The end outcomes the engine knows (engine.rules.status.END_OUTCOMES), in the order shown."""


def _mode(user: Actor) -> str:
    """Designers (and admins) edit; leaders read; everyone else is refused."""
    if user.is_admin or user.holds_anywhere("designer"):
        return "edit"
    if user.holds_anywhere("leader"):
        return "readonly"
    raise Forbidden("the studio needs one of the roles: designer, leader", roles=["designer"])


@blp.get("/studio/<code>/edit")
def edit(code: str) -> Any:
    mode = _mode(actor())
    version = request.args.get("version", type=int)
    with read_session() as session:
        draft = _draft(session, code) if version is None else None
        source = modeler_source(session, code, version, draft=draft)
    if not source.is_current:
        mode = "readonly"
    editing = mode == "edit"
    config = {
        "mode": mode,
        "lang": current_language(),
        "code": code,
        "version": source.version,
        "process_file": source.process_file,
        "files": source.files,
        "metadata": source.metadata,
        "hash": draft.hash if draft is not None else None,
        "roles": [
            {"id": role, "label": label(ROLE_LABELS[role], role)}
            for role in sorted(LANE_ROLES, key=lambda role: list(ROLE_LABELS).index(role))
        ],
        "fields": [{"id": key, "label": label(pair, key)} for key, pair in FIELD_LABELS.items()],
        "outcomes": list(OUTCOMES),
        "operators": sorted(OPERATORS),
        "urls": {
            "save": url_for("pages_studio_drafts.save", code=code) if editing else None,
            "validate": url_for("pages_studio.validate_files", code=code),
            "publish": url_for("pages_studio_drafts.publish", code=code) if editing else None,
            "check_expression": (
                url_for("pages_studio.check_expression_page", code=code) if editing else None
            ),
            "evaluate_decision": (
                url_for("pages_studio.evaluate_decision", code=code) if editing else None
            ),
        },
        "csrf_token": generate_csrf(),
    }
    name = source.metadata["name_en" if current_language() == "en" else "name_vi"]
    return render_template(
        "studio_modeler.html",
        config=json.dumps(config, ensure_ascii=False).replace("</", "<\\/"),
        mode=mode,
        name=name,
        code=code,
        version=source.version,
        is_current=source.is_current,
        archive=(
            url_for("procedures.ProcedureArchive", code=code, version=source.version)
            if source.version is not None
            else None
        ),
    )


def _draft(session: Session, code: str) -> DraftView | None:
    """The procedure's draft, which the modeler opens before its current version."""
    try:
        return get_draft(session, actor(), code)
    except NotFound:
        return None


def _items(problems: list[Problem]) -> list[dict[str, Any]]:
    return [problem_dict(p) for p in problems]


@blp.post("/studio/<code>/check-expression")
def check_expression_page(code: str) -> Response:
    """The properties panel's "check": {expression, kind, element_id, files} -> {problems,
    variables, unknown}, as POST /api/v1/procedures/check-expression answers."""
    body = request.get_json(silent=True)
    try:
        require_role_anywhere(actor(), "designer")
        if not isinstance(body, dict) or not isinstance(body.get("files"), dict):
            return problem(400, "Gửi JSON {expression, kind, element_id, files}.", "http_400")
        checked = check_expression(
            actor(),
            {str(name): str(text) for name, text in body["files"].items()},
            body.get("element_id") or None,
            str(body.get("expression") or ""),
            str(body.get("kind") or ""),
        )
    except DomainError as error:
        return domain_problem(error)
    return jsonify(
        problems=_items(checked.problems),
        variables=list(checked.variables),
        unknown=list(checked.unknown),
    )


@blp.post("/studio/<code>/validate")
def validate_files(code: str) -> Response:
    """{files: {name: text}, metadata} -> {problems, warnings}; nothing is stored."""
    sent_wrong = "Gửi JSON {files, metadata} (send JSON {files, metadata})."
    try:
        require_role_anywhere(actor(), "designer")
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("files"), dict):
            return problem(400, sent_wrong, "http_400")
        try:
            meta = ProcedureMetadataIn().load(body.get("metadata") or {})
        except ValidationError as exc:
            return problem(
                422,
                "Thông tin thủ tục không hợp lệ (the procedure metadata is not valid).",
                "invalid_data",
                errors=flatten_errors(exc.messages),
            )
        files = {str(name): str(text).encode("utf-8") for name, text in body["files"].items()}
        checked = validate(actor(), ProcedureMetadata(**meta), files)
    except DomainError as error:
        return domain_problem(error)
    return jsonify(problems=_items(checked.problems), warnings=_items(checked.warnings))


@blp.post("/studio/<code>/decisions/evaluate")
def evaluate_decision(code: str) -> Response:
    """The decision tab's "try it": {files: {name.dmn: text}, decision_id, inputs} -> {outputs},
    run by the same engine function as POST /api/v1/decisions/evaluate."""
    try:
        require_role_anywhere(actor(), "designer")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return problem(
                400,
                "Gửi JSON {files, decision_id, inputs} (send JSON {files, decision_id, inputs}).",
                "http_400",
            )
        try:
            args = DecisionTrialIn().load(body)
        except ValidationError as exc:
            return problem(
                422,
                "Yêu cầu chạy thử không hợp lệ (the trial request is not valid).",
                "invalid_data",
                errors=flatten_errors(exc.messages),
            )
        files = {name: text.encode("utf-8") for name, text in args["files"].items()}
        trial = try_decision(files, args["decision_id"], args["inputs"])
    except DomainError as error:
        return domain_problem(error)
    return jsonify(outputs=trial.outputs)
