"""What the task page shows at once: the task, its dossier with history and documents, who could
take it over, and which of the task commands the user may give (the commands check again)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.assignment import TaskPermissions
from engine.access.assignment import candidates
from engine.access.assignment import permissions
from engine.access.dossier_access import require_may
from engine.access.visibility import require_visible
from engine.errors import Forbidden
from engine.errors import NotFound
from engine.models import Dossier
from engine.models import Task
from engine.models import User
from engine.queries.attachments import AttachmentView
from engine.queries.attachments import list_attachments
from engine.queries.dossiers import dossier_view
from engine.queries.tasks import task_view
from engine.queries.tasks import visible_task
from engine.rules.status import is_allowed
from engine.views import DossierView
from engine.views import TaskView
from engine.views import UserRef


@dataclass(frozen=True)
class TaskPage:
    task: TaskView
    dossier: DossierView
    attachments: list[AttachmentView]
    colleagues: list[UserRef]
    can: TaskPermissions
    actions: list[str]
    """Dossier lifecycle actions the user may take now (see DOSSIER_ACTIONS)."""


def colleagues(session: Session, actor: Actor, task_id: int) -> list[UserRef]:
    """Active users holding the task's role in its unit: who it may be handed to."""
    task, _ = visible_task(session, actor, task_id)
    return _colleagues(session, task)


def _colleagues(session: Session, task: Task) -> list[UserRef]:
    rows = session.execute(
        select(User.id, User.username, User.full_name)
        .where(User.id.in_(candidates(task.role, task.unit_id)))
        .order_by(User.full_name, User.username)
    ).all()
    return [UserRef(row.id, row.username, row.full_name) for row in rows]


def task_page(session: Session, actor: Actor, task_id: int) -> TaskPage:
    task, dossier = visible_task(session, actor, task_id)
    can = permissions(actor, task)
    return TaskPage(
        task=task_view(session, task, dossier),
        dossier=dossier_view(session, dossier, with_history=True),
        attachments=list_attachments(session, actor, dossier.id),
        colleagues=_colleagues(session, task) if can.reassign or can.delegate else [],
        can=can,
        actions=dossier_actions(session, actor, dossier),
    )


DOSSIER_ACTIONS = (
    "request_supplement",
    "record_supplement",
    "request_fee",
    "record_fee",
    "refuse",
    "issue_apology",
    "return_result",
)
FEE_ACTIONS = frozenset({"request_fee", "record_fee"})
"""Offered only while a fee computed at receipt is unpaid (engine.dossiers.payments refuses them
otherwise)."""


def dossier_actions(session: Session, actor: Actor, dossier: Dossier) -> list[str]:
    """Those of DOSSIER_ACTIONS the dossier's status allows and the actor may do."""
    fee_unpaid = bool(dossier.fee_amount) and not dossier.fee_paid
    allowed = []
    for action in DOSSIER_ACTIONS:
        if not is_allowed(action, dossier.status) or (action in FEE_ACTIONS and not fee_unpaid):
            continue
        try:
            require_may(session, actor, dossier, action)
        except Forbidden:
            continue
        allowed.append(action)
    return allowed


@dataclass(frozen=True)
class DossierPage:
    dossier: DossierView
    attachments: list[AttachmentView]
    actions: list[str]


def dossier_page(session: Session, actor: Actor, dossier_id: int) -> DossierPage:
    """The dossier with its open tasks, history and documents, and what the user may do on it."""
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        raise NotFound(f"dossier {dossier_id} not found", what="dossier", id=dossier_id)
    require_visible(session, actor, dossier)
    return DossierPage(
        dossier=dossier_view(session, dossier, with_history=True),
        attachments=list_attachments(session, actor, dossier.id),
        actions=dossier_actions(session, actor, dossier),
    )
