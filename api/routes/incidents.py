"""Incidents for administrators: what failed in a workflow, and running it again."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView

from api.auth import current_actor
from api.database import new_uow
from api.database import read_session
from api.errors import STATUS_OF
from api.errors import problem
from api.routes import Blueprint
from api.schemas.base import page_body
from api.schemas.base import page_bounds
from api.schemas.incidents import IncidentOut
from api.schemas.incidents import IncidentPageOut
from api.schemas.incidents import IncidentQuery
from engine.errors import WorkflowIncident
from engine.queries.incidents import get_incident
from engine.queries.incidents import list_incidents
from engine.work.incident_retry import retry
from engine.work.incidents import IncidentRecorded

blp = Blueprint(
    "incidents",
    __name__,
    url_prefix="/api/v1/incidents",
    description="Sự cố quy trình (workflow incidents)",
)


@blp.app_errorhandler(IncidentRecorded)
def incident_problem(error: IncidentRecorded) -> Response:
    """The failed command's problem names the incident kept for it, so it can be followed up."""
    return problem(
        STATUS_OF[WorkflowIncident], error.detail, error.code, incident_id=error.incident_id
    )


@blp.route("")
class Incidents(MethodView):
    @blp.arguments(IncidentQuery, location="query")
    @blp.response(200, IncidentPageOut)
    @blp.alt_response(403, description="administrators only")
    def get(self, args: dict[str, Any]) -> Any:
        """List incidents, newest failure first (open ones by default)"""
        offset, limit = page_bounds(args)
        with read_session() as session:
            page = list_incidents(
                session,
                current_actor(),
                state=args["state"],
                unit=args.get("unit"),
                procedure=args.get("procedure"),
                offset=offset,
                limit=limit,
            )
        return page_body(page, args)


@blp.route("/<int:incident_id>")
class IncidentItem(MethodView):
    @blp.response(200, IncidentOut)
    @blp.alt_response(403, description="administrators only")
    @blp.alt_response(404, description="no such incident")
    def get(self, incident_id: int) -> Any:
        """Read one incident with the data a retry sends again"""
        with read_session() as session:
            return get_incident(session, current_actor(), incident_id)


@blp.route("/<int:incident_id>/retry")
class Retry(MethodView):
    @blp.response(200, IncidentOut)
    @blp.alt_response(403, description="administrators only")
    @blp.alt_response(404, description="no such incident")
    @blp.alt_response(409, description="already resolved, or the newest version lost a live step")
    def post(self, incident_id: int) -> Any:
        """Run the failed command again (on the newest published version) as its first user;
        the answer's `state` tells whether it went through (`resolved`) or failed again (`open`)"""
        return retry(new_uow, current_actor(), incident_id)
