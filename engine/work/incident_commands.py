"""Commands that run designers' scripts, wrapped so a workflow failure leaves an incident behind:
the command's own transaction is rolled back, the incident is written in a second one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.access.actors import Actor
from engine.dossiers.receive import Submission
from engine.dossiers.receive import submit
from engine.errors import WorkflowIncident
from engine.store.uow import UnitOfWork
from engine.views import DossierView
from engine.views import TaskView
from engine.work import tasks
from engine.work.incidents import IncidentRecorded
from engine.work.incidents import failure_message
from engine.work.incidents import record_start_failure
from engine.work.incidents import record_task_failure


def complete_task(
    new_uow: Callable[[], UnitOfWork], actor: Actor, task_id: int, data: dict[str, Any]
) -> list[TaskView]:
    """`tasks.complete`, and on a workflow failure an incident kept after the rollback."""
    try:
        with new_uow() as uow:
            return tasks.complete(uow, actor, task_id, data)
    except WorkflowIncident as exc:
        with new_uow() as uow:
            message = failure_message(exc)
            incident_id = record_task_failure(uow, actor, task_id, data, message)
        raise IncidentRecorded(message, incident_id) from exc


def submit_dossier(
    new_uow: Callable[[], UnitOfWork], actor: Actor, submission: Submission
) -> DossierView:
    """`dossiers.submit`, and on a workflow failure at start an incident with the submission."""
    try:
        with new_uow() as uow:
            return submit(uow, actor, submission)
    except WorkflowIncident as exc:
        with new_uow() as uow:
            message = failure_message(exc)
            incident_id = record_start_failure(uow, actor, submission, message)
        raise IncidentRecorded(message, incident_id) from exc
