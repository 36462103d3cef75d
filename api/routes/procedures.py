from __future__ import annotations

import json
from typing import Any

from flask import Response
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
from api.schemas.catalogue import ProcedureVersionQuery
from api.schemas.catalogue import PublishForm
from api.schemas.catalogue import PublishOut
from api.schemas.catalogue import ValidateOut
from engine.catalogue import archives
from engine.catalogue.folders import version_folder
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


def _upload() -> tuple[ProcedureMetadata, dict[str, bytes], str | None]:
    """Read the multipart body: a `metadata` JSON field (with the change note, if any) and one
    or more files, or one `.zip` of a procedure folder (its metadata.json, unless a `metadata`
    field is sent too)."""
    uploads = [f for key in request.files for f in request.files.getlist(key)]
    if not uploads or len(uploads) > MAX_FILES:
        raise InvalidData("upload between 1 and 50 files", {"files": ["Cần từ 1 đến 50 tệp."]})
    raw = request.form.get("metadata")
    if len(uploads) == 1 and (uploads[0].filename or "").lower().endswith(".zip"):
        packed, files = archives.unpack(uploads[0].read())
        return _with_files(json.loads(raw) if raw is not None else packed, files)
    if raw is None:
        raise InvalidData("the metadata field is missing", {"metadata": ["Thiếu trường metadata."]})
    try:
        fields = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidData("metadata is not JSON", {"metadata": ["metadata phải là JSON."]}) from exc
    files = {_safe_name(f.filename or ""): f.read() for f in uploads}
    return _with_files(fields, files)


def _with_files(
    fields: Any, files: dict[str, bytes]
) -> tuple[ProcedureMetadata, dict[str, bytes], str | None]:
    """The metadata, the files, and the change note (`note`, not part of a version's metadata)."""
    try:
        loaded = ProcedureMetadataIn().load(fields)
    except ValidationError as exc:
        raise InvalidData("the metadata is not valid", exc.normalized_messages()) from exc
    note = loaded.pop("note", None)
    return ProcedureMetadata(**loaded), files, note


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
            return list_procedures(session, field=args.get("field"), q=args.get("q"))

    @blp.arguments(PublishForm, location="files", as_kwargs=True)
    @blp.response(201, PublishOut)
    @blp.alt_response(400, description="unsafe XML (DOCTYPE, entities, too large)")
    @blp.alt_response(422, description="the diagram does not validate; nothing published")
    def post(self, **_documented: Any) -> Any:
        """Publish a procedure or a new version of it (designers)"""
        meta, files, note = _upload()
        with new_uow() as uow:
            return publish(uow, current_actor(), meta, files, note=note, source="api")


@blp.route("/validate")
class ValidateProcedure(MethodView):
    @blp.arguments(PublishForm, location="files", as_kwargs=True)
    @blp.response(200, ValidateOut)
    @blp.alt_response(400, description="unsafe XML (DOCTYPE, entities, too large)")
    def post(self, **_documented: Any) -> Any:
        """Check procedure files without publishing anything"""
        meta, files, _note = _upload()
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
    @blp.arguments(ProcedureVersionQuery, location="query")
    @blp.response(200, ProcedureDetailOut)
    @blp.alt_response(404, description="no such procedure, or no such version of it")
    def get(self, args: dict[str, Any], code: str) -> Any:
        """Read a procedure (the current version, or `?version=N`) with its files and versions"""
        with read_session() as session:
            return get_procedure(session, code, args.get("version"))


@blp.route("/<string:code>/archive")
class ProcedureArchive(MethodView):
    @blp.arguments(ProcedureVersionQuery, location="query")
    @blp.response(
        200,
        {"type": "string", "format": "binary"},
        content_type="application/zip",
        description="`<code>/metadata.json` and the files: unzip into processes/, or publish",
    )
    @blp.alt_response(404, description="no such procedure, or no such version of it")
    def get(self, args: dict[str, Any], code: str) -> Any:
        """Download a version (the current one, or `?version=N`) as a procedure folder zip"""
        with read_session() as session:
            metadata, files = version_folder(session, code, args.get("version"))
        content = archives.pack(code, metadata, {n: t.encode() for n, t in files.items()})
        suffix = f"-v{args['version']}" if args.get("version") else ""
        return Response(
            content,
            mimetype="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{code}{suffix}.zip"'},
        )
