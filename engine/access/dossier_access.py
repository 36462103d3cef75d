"""Who may act on a dossier's lifecycle, and the locked read every lifecycle command starts with."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.errors import Forbidden
from engine.models import Dossier
from engine.models import Task
from engine.rules.status import require_allowed
from engine.store.uow import UnitOfWork

WHO_MAY: dict[str, frozenset[str]] = {
    "request_supplement": frozenset({"reception", "task_holder"}),
    "record_supplement": frozenset({"reception", "task_holder"}),
    "refuse": frozenset({"reception", "leader", "task_holder"}),
    "withdraw": frozenset({"reception", "leader"}),
    "stop": frozenset({"reception", "leader", "task_holder"}),
    "issue_apology": frozenset({"reception", "leader", "task_holder"}),
    "return_result": frozenset({"reception"}),
    "record_fee": frozenset({"reception"}),
    "request_fee": frozenset({"reception", "task_holder"}),
}
"""reception: of the receiving or the competent unit; leader: of the competent unit;
task_holder: a user who may work one of the dossier's open tasks."""


def locked_dossier(uow: UnitOfWork, actor: Actor | None, dossier_id: int, action: str) -> Dossier:
    """Lock the dossier, check the actor may do `action` (None = the system), then its status."""
    dossier: Dossier = uow.lock_one(
        select(Dossier).where(Dossier.id == dossier_id), "dossier", dossier_id
    )[0]
    if actor is not None:
        require_may(uow.session, actor, dossier, action)
    require_allowed(action, dossier.status)
    return dossier


def require_may(session: Session, actor: Actor, dossier: Dossier, action: str) -> None:
    allowed = WHO_MAY[action]
    if actor.is_admin:
        return
    desks = (dossier.receiving_unit_id, dossier.competent_unit_id)
    if "reception" in allowed and any(actor.holds("reception", unit) for unit in desks):
        return
    if "leader" in allowed and actor.holds("leader", dossier.competent_unit_id):
        return
    if "task_holder" in allowed and _holds_open_task(session, actor, dossier.id):
        return
    raise Forbidden(
        f"you may not {action.replace('_', ' ')} on this dossier",
        dossier_id=dossier.id,
        allowed=sorted(allowed),
    )


def _holds_open_task(session: Session, actor: Actor, dossier_id: int) -> bool:
    tasks = session.scalars(
        select(Task).where(Task.dossier_id == dossier_id, Task.state == "open")
    ).all()
    return any(
        task.assignee_id == actor.user_id
        or (task.assignee_id is None and actor.holds(task.role, task.unit_id))
        for task in tasks
    )
