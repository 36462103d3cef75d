"""A procedure's versions and its draft: the designer studio's API (issue 18's contract)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.auth import current_actor
from api.database import new_uow
from api.database import read_session
from api.errors import problem_dict
from api.routes import Blueprint
from api.schemas.catalogue import PublishOut
from api.schemas.catalogue import ValidateOut
from api.schemas.studio import DraftIn
from api.schemas.studio import DraftOut
from api.schemas.studio import DraftPublishIn
from api.schemas.studio import DraftSavedOut
from api.schemas.studio import VersionLineOut
from engine.catalogue.drafts import discard_draft
from engine.catalogue.drafts import get_draft
from engine.catalogue.drafts import publish_draft
from engine.catalogue.drafts import require_reader
from engine.catalogue.drafts import save_draft
from engine.catalogue.drafts import validate_draft
from engine.queries.studio import version_list

blp = Blueprint(
    "procedure_drafts",
    __name__,
    url_prefix="/api/v1/procedures",
    description="Phiên bản và bản nháp thủ tục (procedure versions and drafts)",
)


@blp.route("/<string:code>/versions")
class Versions(MethodView):
    @blp.response(200, VersionLineOut(many=True))
    @blp.alt_response(404, description="no such procedure, nor a draft of it")
    def get(self, code: str) -> Any:
        """List a procedure's versions, newest first, the draft first (designers, leaders)"""
        require_reader(current_actor())
        with read_session() as session:
            return version_list(session, code)


@blp.route("/<string:code>/draft")
class Draft(MethodView):
    @blp.response(200, DraftOut)
    @blp.alt_response(404, description="the procedure has no draft")
    def get(self, code: str) -> Any:
        """Read the procedure's draft (designers, leaders)"""
        with read_session() as session:
            return get_draft(session, current_actor(), code)

    @blp.arguments(DraftIn)
    @blp.response(200, DraftSavedOut)
    @blp.alt_response(409, description="base_hash is stale: someone saved the draft since")
    @blp.alt_response(422, description="files or metadata not acceptable; nothing saved")
    def put(self, body: dict[str, Any], code: str) -> Any:
        """Save the procedure's draft (designers); a new procedure may have one"""
        with new_uow() as uow:
            return save_draft(
                uow, current_actor(), code, body["files"], body["metadata"], body["base_hash"]
            )

    @blp.response(204)
    @blp.alt_response(404, description="the procedure has no draft")
    def delete(self, code: str) -> None:
        """Discard the procedure's draft (designers)"""
        with new_uow() as uow:
            discard_draft(uow, current_actor(), code)


@blp.route("/<string:code>/draft/validate")
class ValidateDraft(MethodView):
    @blp.response(200, ValidateOut)
    @blp.alt_response(404, description="the procedure has no draft")
    @blp.alt_response(422, description="the draft's metadata is not complete")
    def post(self, code: str) -> Any:
        """Check the draft as saved, as publishing would; nothing is stored (designers)"""
        with read_session() as session:
            checked = validate_draft(session, current_actor(), code)
        return {
            "problems": [problem_dict(p) for p in checked.problems],
            "warnings": [problem_dict(p) for p in checked.warnings],
        }


@blp.route("/<string:code>/draft/publish")
class PublishDraft(MethodView):
    @blp.arguments(DraftPublishIn)
    @blp.response(201, PublishOut)
    @blp.alt_response(404, description="the procedure has no draft")
    @blp.alt_response(409, description="base_hash is stale: someone saved the draft since")
    @blp.alt_response(422, description="problems stop publication; nothing published")
    def post(self, body: dict[str, Any], code: str) -> Any:
        """Publish the draft as the next version with a change note (designers)"""
        with new_uow() as uow:
            return publish_draft(uow, current_actor(), code, body["note"], body["base_hash"])
