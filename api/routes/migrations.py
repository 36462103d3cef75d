"""Comparing two versions of a procedure, moving its running dossiers to another version (a
background job), retiring a version, and reassigning open tasks in bulk (issue 20's contract)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from api import scheduler
from api.auth import current_actor
from api.database import new_uow
from api.database import read_session
from api.routes import Blueprint
from api.schemas.migrations import DiffOut
from api.schemas.migrations import DiffQuery
from api.schemas.migrations import JobOut
from api.schemas.migrations import JobStartedOut
from api.schemas.migrations import MigrationIn
from api.schemas.migrations import PreviewIn
from api.schemas.migrations import PreviewOut
from api.schemas.migrations import PreviewQuery
from api.schemas.migrations import ReassignBulkIn
from api.schemas.migrations import ReassignBulkOut
from api.schemas.migrations import RetiredOut
from api.schemas.migrations import RetireIn
from engine.catalogue.comparisons import compare
from engine.catalogue.comparisons import retire
from engine.work import migrations
from engine.work.move_preview import preview
from engine.work.reassignments import reassign_bulk

blp = Blueprint(
    "version_moves",
    __name__,
    url_prefix="/api/v1",
    description="So sánh phiên bản, chuyển hồ sơ (compare versions, move running dossiers)",
)


@blp.route("/procedures/<string:code>/diff")
class Diff(MethodView):
    @blp.arguments(DiffQuery, location="query")
    @blp.response(200, DiffOut)
    @blp.alt_response(404, description="no such procedure or version")
    def get(self, query: dict[str, int], code: str) -> Any:
        """Compare two versions: elements added, removed, changed, moved; forms; the table"""
        with read_session() as session:
            return compare(session, current_actor(), code, before=query["from_"], after=query["to"])


@blp.route("/procedures/<string:code>/migrations/preview")
class Preview(MethodView):
    @blp.arguments(PreviewQuery, location="query")
    @blp.response(200, PreviewOut)
    @blp.alt_response(404, description="no such procedure or version")
    def get(self, query: dict[str, Any], code: str) -> Any:
        """Which running dossiers can move to version `to`, and why the others cannot"""
        with read_session() as session:
            return preview(
                session, current_actor(), code, to=query["to"], from_version=query["from_"]
            )

    @blp.arguments(PreviewIn)
    @blp.response(200, PreviewOut)
    @blp.alt_response(404, description="no such procedure or version")
    @blp.alt_response(422, description="the mapping names elements the target lacks")
    def post(self, body: dict[str, Any], code: str) -> Any:
        """The preview with a mapping of removed elements to the target's"""
        with read_session() as session:
            return preview(
                session,
                current_actor(),
                code,
                to=body["to"],
                from_version=body["from_"],
                mapping=body["mapping"],
            )


@blp.route("/procedures/<string:code>/migrations")
class Migrations(MethodView):
    @blp.arguments(MigrationIn)
    @blp.response(202, JobStartedOut)
    @blp.alt_response(404, description="no such procedure or version")
    @blp.alt_response(422, description="a chosen dossier cannot move, or none can")
    def post(self, body: dict[str, Any], code: str) -> Any:
        """Move running dossiers to version `to` as a background job (designers, admins)"""
        with new_uow() as uow:
            job_id = migrations.start(
                uow,
                current_actor(),
                code,
                to=body["to"],
                dossier_ids=body["dossier_ids"],
                mapping=body["mapping"],
            )
        scheduler.run_migrations_soon(current_app._get_current_object())  # noqa: SLF001
        return {"job_id": job_id}


@blp.route("/migration-jobs/<int:job_id>")
class Job(MethodView):
    @blp.response(200, JobOut)
    @blp.alt_response(404, description="no such job")
    def get(self, job_id: int) -> Any:
        """A migration job's progress and its failures with their reasons"""
        with new_uow() as uow:
            return migrations.get_job(uow, current_actor(), job_id)


@blp.route("/procedures/<string:code>/versions/<int:number>/retire")
class Retire(MethodView):
    @blp.arguments(RetireIn)
    @blp.response(200, RetiredOut)
    @blp.alt_response(404, description="no such procedure or version")
    @blp.alt_response(409, description="already retired, or the current one with no successor")
    def post(self, body: dict[str, Any], code: str, number: int) -> Any:
        """Retire a version: it takes no new dossiers; its running ones go on (designers)"""
        with new_uow() as uow:
            current = retire(uow, current_actor(), code, number, make_current=body["make_current"])
        return {"retired": number, "current_version": current}


@blp.route("/tasks/reassign-bulk")
class ReassignBulk(MethodView):
    @blp.arguments(ReassignBulkIn)
    @blp.response(200, ReassignBulkOut)
    @blp.alt_response(422, description="unknown user or unit")
    def post(self, body: dict[str, Any]) -> Any:
        """Hand one user's or one unit's open tasks on; `dry_run` (default) only previews"""
        return reassign_bulk(new_uow, current_actor(), **body)
