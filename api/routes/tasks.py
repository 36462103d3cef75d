from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.audit_trail import record_read
from api.auth import current_actor
from api.database import new_uow
from api.database import read_session
from api.routes import Blueprint
from api.schemas.base import UserRefOut
from api.schemas.base import page_body
from api.schemas.base import page_bounds
from api.schemas.work import CompleteIn
from api.schemas.work import CompleteOut
from api.schemas.work import DiagramOut
from api.schemas.work import ReassignIn
from api.schemas.work import ReleaseIn
from api.schemas.work import TaskCountsOut
from api.schemas.work import TaskOut
from api.schemas.work import TaskPageOut
from api.schemas.work import TaskQuery
from engine.people import audit
from engine.queries.diagrams import task_diagram
from engine.queries.tasks import count_tasks
from engine.queries.tasks import get_task
from engine.queries.tasks import list_tasks
from engine.queries.workspace import colleagues
from engine.work import tasks
from engine.work.incident_commands import complete_task

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
                q=args.get("q"),
                sort=args["sort"],
            )
        return page_body(page, args)


@blp.route("/counts")
class Counts(MethodView):
    @blp.response(200, TaskCountsOut)
    def get(self) -> Any:
        """How many open tasks each inbox scope holds"""
        with read_session() as session:
            return {"counts": count_tasks(session, current_actor())}


@blp.route("/<int:task_id>")
class TaskItem(MethodView):
    @blp.response(200, TaskOut)
    @blp.alt_response(403, description="dossier of another unit")
    @blp.alt_response(404, description="no such task")
    def get(self, task_id: int) -> Any:
        """Read one task with its form schema"""
        with read_session() as session:
            task = get_task(session, current_actor(), task_id)
        record_read(
            audit.TASK_VIEWED, dossier_id=task.dossier_id, target_type="task", target_id=task_id
        )
        return task


@blp.route("/<int:task_id>/diagram")
class Diagram(MethodView):
    @blp.response(200, DiagramOut)
    @blp.alt_response(403, description="dossier of another unit")
    @blp.alt_response(404, description="no such task")
    def get(self, task_id: int) -> Any:
        """The BPMN diagram of the task's dossier, the task's element and the steps done"""
        with read_session() as session:
            return task_diagram(session, current_actor(), task_id)


@blp.route("/<int:task_id>/claim")
class Claim(MethodView):
    @blp.response(200, TaskOut)
    @blp.alt_response(403, description="not in the task's role and unit")
    @blp.alt_response(409, description="held by someone else, or already done")
    def post(self, task_id: int) -> Any:
        """Claim a task (idempotent for its holder)"""
        with new_uow() as uow:
            return tasks.claim(uow, current_actor(), task_id)


@blp.route("/<int:task_id>/colleagues")
class Colleagues(MethodView):
    @blp.response(200, UserRefOut(many=True))
    @blp.alt_response(403, description="dossier of another unit")
    @blp.alt_response(404, description="no such task")
    def get(self, task_id: int) -> Any:
        """Who holds the task's role in its unit: whom it may be reassigned to"""
        with read_session() as session:
            return colleagues(session, current_actor(), task_id)


@blp.route("/<int:task_id>/release")
class Release(MethodView):
    @blp.arguments(ReleaseIn)
    @blp.response(200, TaskOut)
    @blp.alt_response(403, description="not in the task's role and unit")
    @blp.alt_response(409, description="held by someone else, or already done")
    def post(self, args: dict[str, Any], task_id: int) -> Any:
        """Give a task I hold back to my role's queue"""
        with new_uow() as uow:
            return tasks.release(uow, current_actor(), task_id, note=args["note"])


@blp.route("/<int:task_id>/reassign")
class Reassign(MethodView):
    @blp.arguments(ReassignIn)
    @blp.response(200, TaskOut)
    @blp.alt_response(403, description="neither a leader of the task's unit nor its holder")
    @blp.alt_response(409, description="already done")
    @blp.alt_response(422, description="no such colleague in the task's role and unit")
    def post(self, args: dict[str, Any], task_id: int) -> Any:
        """Hand a task to a named colleague (leaders; holders delegate), with a note"""
        with new_uow() as uow:
            return tasks.reassign(
                uow, current_actor(), task_id, assignee=args["assignee"], note=args["note"]
            )


@blp.route("/<int:task_id>/complete")
class Complete(MethodView):
    @blp.arguments(CompleteIn)
    @blp.response(200, CompleteOut)
    @blp.alt_response(403, description="not in the task's role and unit")
    @blp.alt_response(409, description="already completed, or held by someone else")
    @blp.alt_response(422, description="form data invalid; nothing changed")
    def post(self, args: dict[str, Any], task_id: int) -> Any:
        """Complete a task with its form data; returns the tasks that opened"""
        return {"next_tasks": complete_task(new_uow, current_actor(), task_id, args["data"])}
