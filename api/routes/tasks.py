from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.auth import current_actor
from api.database import new_uow
from api.database import read_session
from api.routes import Blueprint
from api.schemas.base import page_body
from api.schemas.base import page_bounds
from api.schemas.work import CompleteIn
from api.schemas.work import CompleteOut
from api.schemas.work import TaskOut
from api.schemas.work import TaskPageOut
from api.schemas.work import TaskQuery
from engine import tasks
from engine.queries.tasks import list_tasks

blp = Blueprint("tasks", __name__, url_prefix="/api/v1/tasks", description="Công việc (tasks)")


@blp.route("")
class Tasks(MethodView):
    @blp.arguments(TaskQuery, location="query")
    @blp.response(200, TaskPageOut)
    def get(self, args: dict[str, Any]) -> Any:
        """List my tasks (`mine`) or what I may work (`candidate`), earliest due first"""
        offset, limit = page_bounds(args)
        with read_session() as session:
            page = list_tasks(
                session,
                current_actor(),
                scope=args["scope"],
                dossier_id=args.get("dossier_id"),
                offset=offset,
                limit=limit,
            )
        return page_body(page, args)


@blp.route("/<int:task_id>/claim")
class Claim(MethodView):
    @blp.response(200, TaskOut)
    @blp.alt_response(403, description="not in the task's role and unit")
    @blp.alt_response(409, description="held by someone else, or already done")
    def post(self, task_id: int) -> Any:
        """Claim a task (idempotent for its holder)"""
        with new_uow() as uow:
            return tasks.claim(uow, current_actor(), task_id)


@blp.route("/<int:task_id>/complete")
class Complete(MethodView):
    @blp.arguments(CompleteIn)
    @blp.response(200, CompleteOut)
    @blp.alt_response(403, description="not in the task's role and unit")
    @blp.alt_response(409, description="already completed, or held by someone else")
    @blp.alt_response(422, description="form data invalid; nothing changed")
    def post(self, args: dict[str, Any], task_id: int) -> Any:
        """Complete a task with its form data; returns the tasks that opened"""
        with new_uow() as uow:
            return {"next_tasks": tasks.complete(uow, current_actor(), task_id, args["data"])}
