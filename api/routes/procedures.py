from __future__ import annotations

import json
from typing import Any

from flask import request
from flask.views import MethodView
from marshmallow import ValidationError

from api.auth import current_actor
from api.database import new_uow
from api.database import read_session
from api.errors import problem_dict
from api.routes import Blueprint
from api.schemas.catalogue import CheckExpressionIn
from api.schemas.catalogue import CheckExpressionOut
from api.schemas.catalogue import ProcedureDetailOut
from api.schemas.catalogue import ProcedureMetadataIn
from api.schemas.catalogue import ProcedureOut
from api.schemas.catalogue import ProcedureQuery
from api.schemas.catalogue import PublishForm
from api.schemas.catalogue import PublishOut
from api.schemas.catalogue import ValidateOut
from engine.catalogue.procedures import ProcedureMetadata
from engine.catalogue.procedures import check_expression
from engine.catalogue.procedures import publish
from engine.catalogue.procedures import validate
from engine.errors import InvalidData
from engine.queries.procedures import get_procedure
from engine.queries.procedures import list_procedures

blp = Blueprint(
    "procedures",
    __name__,
    url_prefix="/api/v1/procedures",
    description="Thủ tục hành chính (procedures)",
)
MAX_FILES = 50


def _upload() -> tuple[ProcedureMetadata, dict[str, bytes]]:
    """Read the multipart body: a `metadata` JSON field and one or more files."""
    raw = request.form.get("metadata")
    if raw is None:
        raise InvalidData("the metadata field is missing", {"metadata": ["Thiếu trường metadata."]})
    try:
        meta = ProcedureMetadataIn().load(json.loads(raw))
    except json.JSONDecodeError as exc:
        raise InvalidData("metadata is not JSON", {"metadata": ["metadata phải là JSON."]}) from exc
    except ValidationError as exc:
        raise InvalidData("the metadata is not valid", exc.normalized_messages()) from exc
    uploads = [f for key in request.files for f in request.files.getlist(key)]
    if not uploads or len(uploads) > MAX_FILES:
        raise InvalidData("upload between 1 and 50 files", {"files": ["Cần từ 1 đến 50 tệp."]})
    files = {_safe_name(f.filename or ""): f.read() for f in uploads}
    return ProcedureMetadata(**meta), files


def _safe_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    if not base or base.startswith("."):
        raise InvalidData(
            "a file has no usable name", {"files": [f"Tên tệp không hợp lệ: {name!r}"]}
        )
    return base


@blp.route("")
class Procedures(MethodView):
    @blp.arguments(ProcedureQuery, location="query")
    @blp.response(200, ProcedureOut(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """List published procedures (current version of each)"""
        with read_session() as session:
            return list_procedures(session, field=args.get("field"))

    @blp.arguments(PublishForm, location="files", as_kwargs=True)
    @blp.response(201, PublishOut)
    @blp.alt_response(400, description="unsafe XML (DOCTYPE, entities, too large)")
    @blp.alt_response(422, description="the diagram does not validate; nothing published")
    def post(self, **_documented: Any) -> Any:
        """Publish a procedure or a new version of it (designers)"""
        meta, files = _upload()
        with new_uow() as uow:
            return publish(uow, current_actor(), meta, files)


@blp.route("/validate")
class ValidateProcedure(MethodView):
    @blp.arguments(PublishForm, location="files", as_kwargs=True)
    @blp.response(200, ValidateOut)
    @blp.alt_response(400, description="unsafe XML (DOCTYPE, entities, too large)")
    def post(self, **_documented: Any) -> Any:
        """Check procedure files without publishing anything"""
        meta, files = _upload()
        checked = validate(current_actor(), meta, files)
        return {
            "problems": [problem_dict(p) for p in checked.problems],
            "warnings": [problem_dict(p) for p in checked.warnings],
        }


@blp.route("/check-expression")
class CheckExpression(MethodView):
    @blp.arguments(CheckExpressionIn)
    @blp.response(200, CheckExpressionOut)
    def post(self, args: dict[str, Any]) -> Any:
        """Check one condition or script: sandbox rules, variables read, unknown variables"""
        checked = check_expression(
            current_actor(),
            args["files"],
            args["element_id"],
            args["expression"],
            args["kind"],
            args["process_id"],
        )
        return {
            "problems": [problem_dict(p) for p in checked.problems],
            "variables": checked.variables,
            "unknown": checked.unknown,
        }


@blp.route("/<string:code>")
class ProcedureItem(MethodView):
    @blp.response(200, ProcedureDetailOut)
    @blp.alt_response(404, description="no such procedure")
    def get(self, code: str) -> Any:
        """Read a procedure with its BPMN and its versions"""
        with read_session() as session:
            return get_procedure(session, code)
