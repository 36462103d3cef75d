"""Ending a dossier before its result: refused (form 03), withdrawn at the applicant's request,
stopped by the competent authority. The instance is cancelled through the step sequence."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.dossier_access import locked_dossier
from engine.bpmn import runtime
from engine.instance.events import event_values
from engine.instance.step import Mover
from engine.instance.step import advance
from engine.models import Dossier
from engine.models import SupplementRequest
from engine.models import Task
from engine.models import WorkflowState
from engine.queries.dossiers import dossier_view
from engine.rules.forms import required_text
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork
from engine.views import DossierView


def refuse(
    uow: UnitOfWork, actor: Actor, dossier_id: int, *, reason: str, now: datetime | None = None
) -> DossierView:
    """Not received / refused with reasons (form 03): the instance ends, its tasks are cancelled."""
    return _end(uow, actor, dossier_id, "refuse", "refused", reason, now)


def withdraw(
    uow: UnitOfWork, actor: Actor, dossier_id: int, *, reason: str, now: datetime | None = None
) -> DossierView:
    """The applicant takes the dossier back."""
    return _end(uow, actor, dossier_id, "withdraw", "withdrawn", reason, now)


def stop(
    uow: UnitOfWork, actor: Actor, dossier_id: int, *, reason: str, now: datetime | None = None
) -> DossierView:
    """The competent authority stops processing (notice of stopping)."""
    return _end(uow, actor, dossier_id, "stop", "stopped", reason, now)


def _end(
    uow: UnitOfWork,
    actor: Actor,
    dossier_id: int,
    action: str,
    status: str,
    reason: str,
    now: datetime | None,
) -> DossierView:
    reason = required_text(reason, "reason")
    uow.begin_write()
    dossier = locked_dossier(uow, actor, dossier_id, action)
    end_instance(
        uow.session, dossier, status=status, reason=reason, actor_id=actor.user_id, now=now
    )
    uow.commit()
    return dossier_view(uow.session, dossier, with_history=False)


def end_instance(
    session: Session,
    dossier: Dossier,
    *,
    status: str,
    reason: str,
    actor_id: int | None,
    now: datetime | None = None,
) -> None:
    """Cancel the workflow and every open task, close a pending supplement request, record the
    ending (event kind = the status: refused, withdrawn, stopped) and set finished_at."""
    now = now or utcnow()
    tasks = session.scalars(
        select(Task).where(Task.dossier_id == dossier.id, Task.state == "open")
    ).all()
    for request in session.scalars(
        select(SupplementRequest).where(
            SupplementRequest.dossier_id == dossier.id, SupplementRequest.state == "open"
        )
    ):
        request.state, request.closed_at, request.closed_by = "closed", now, actor_id
    events = [
        *(
            event_values(
                dossier.id, "task_cancelled", now, actor_id=actor_id, unit_id=t.unit_id, task=t
            )
            for t in tasks
        ),
        event_values(
            dossier.id,
            status,
            now,
            actor_id=actor_id,
            unit_id=dossier.competent_unit_id,
            detail={"reason": reason},
        ),
    ]
    state = session.scalar(
        select(WorkflowState.state).where(WorkflowState.dossier_id == dossier.id)
    )
    advance(
        session,
        dossier,
        runtime.cancel,
        state=state,
        open_rows=[(t.id, t.spiff_task_id) for t in tasks],
        by=Mover(actor_id, dossier.competent_unit_id, now),
        events=events,
        status=status,
        reason=reason,
    )
