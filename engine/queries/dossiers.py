"""Dossier reads: one dossier with its open tasks and history, and the views every list of
dossiers shows (engine.queries.dossier_list finds them)."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.visibility import require_visible
from engine.errors import NotFound
from engine.models import Dossier
from engine.models import Event
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.models import SupplementRequest
from engine.models import Task
from engine.queries.refs import unit_refs
from engine.queries.refs import user_refs
from engine.queries.task_views import task_views
from engine.queries.waits import waiting_for
from engine.rules.calendar import LOCAL_TZ
from engine.rules.calendar import to_local
from engine.rules.status import STATUSES
from engine.rules.timeliness import timeliness_of
from engine.store.db import utcnow
from engine.views import DeliveryView
from engine.views import DossierView
from engine.views import EventView
from engine.views import FeeView
from engine.views import ReceptionPointView
from engine.views import SupplementView
from engine.views import TaskView
from engine.views import UnitRef
from engine.views import WaitView


def get_dossier(session: Session, actor: Actor, dossier_id: int) -> DossierView:
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        raise NotFound(f"dossier {dossier_id} not found", what="dossier", id=dossier_id)
    require_visible(session, actor, dossier)
    return dossier_view(session, dossier, with_history=True)


def dossier_view(session: Session, dossier: Dossier, *, with_history: bool) -> DossierView:
    return dossier_views(session, [dossier], with_history=with_history)[0]


def dossier_views(
    session: Session, dossiers: Sequence[Dossier], *, with_history: bool
) -> list[DossierView]:
    if not dossiers:
        return []
    ids = [d.id for d in dossiers]
    versions = {
        v.id: (code, v)
        for code, v in session.execute(
            select(Procedure.code, ProcedureVersion)
            .join(ProcedureVersion, ProcedureVersion.procedure_id == Procedure.id)
            .where(ProcedureVersion.id.in_({d.procedure_version_id for d in dossiers}))
        ).all()
    }
    open_tasks = task_views(
        session,
        session.scalars(
            select(Task).where(Task.dossier_id.in_(ids), Task.state == "open").order_by(Task.id)
        ).all(),
        dossiers={d.id: d for d in dossiers},
    )
    units = unit_refs(
        session, [u for d in dossiers for u in (d.receiving_unit_id, d.competent_unit_id)]
    )
    waiting = open_supplements(
        session, [d.id for d in dossiers if d.status == "supplement_requested"]
    )
    waits = waiting_for(session, ids)
    now = utcnow()
    views = []
    for dossier in dossiers:
        code, version = versions[dossier.procedure_version_id]
        views.append(
            view_of(
                dossier,
                procedure_code=code,
                version=version,
                units=units,
                tasks=[t for t in open_tasks if t.dossier_id == dossier.id],
                history=history(session, dossier.id) if with_history else None,
                supplement=waiting.get(dossier.id),
                now=now,
                waiting_for=waits.get(dossier.id, []),
            )
        )
    return views


def view_of(
    dossier: Dossier,
    *,
    procedure_code: str,
    version: ProcedureVersion,
    units: Mapping[int, UnitRef],
    tasks: list[TaskView],
    history: list[EventView] | None,
    supplement: SupplementView | None,
    now: datetime,
    waiting_for: list[WaitView] | None = None,
) -> DossierView:
    """The dossier as every reader shows it, from what the caller already holds."""
    status = STATUSES[dossier.status]
    return DossierView(
        id=dossier.id,
        code=dossier.code,
        status=status.slug,
        status_code=status.code,
        status_label=status.label_vi,
        channel=dossier.channel,
        procedure_code=procedure_code,
        procedure_name=version.name_vi,
        procedure_version=version.number,
        applicant=dossier.applicant,
        data=dossier.data,
        receiving_unit=units[dossier.receiving_unit_id],
        competent_unit=units[dossier.competent_unit_id],
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        finished_at=dossier.finished_at,
        tasks=tasks,
        history=history,
        **_lifecycle_fields(dossier, now, supplement),
        waiting_for=waiting_for or [],
    )


def _lifecycle_fields(
    dossier: Dossier, now: datetime, supplement: SupplementView | None
) -> dict[str, Any]:
    return {
        "lookup_key": dossier.lookup_key,
        "original_due_at": dossier.original_due_at,
        "returned_at": dossier.returned_at,
        "paused_days": dossier.paused_days or 0,
        "timeliness": timeliness_of(dossier, now),
        "fee": FeeView(dossier.fee_amount, bool(dossier.fee_paid), dossier.fee_receipt_number),
        "delivery": DeliveryView(
            dossier.delivery_method, dossier.delivery_tracking_number, dossier.delivery_address
        ),
        "reception_point": ReceptionPointView(
            dossier.reception_point_kind, dossier.reception_point_name
        ),
        "supplement": supplement,
    }


def open_supplements(session: Session, ids: list[int]) -> dict[int, SupplementView]:
    """The open supplement request of each dossier given that has one."""
    if not ids:
        return {}
    rows = session.scalars(
        select(SupplementRequest)
        .where(SupplementRequest.dossier_id.in_(ids), SupplementRequest.state == "open")
        .order_by(SupplementRequest.id)
    ).all()
    return {
        row.dossier_id: SupplementView(
            row.reason, list(row.items), row.requested_at, row.applicant_due_at
        )
        for row in rows
    }


def history(session: Session, dossier_id: int) -> list[EventView]:
    events = session.scalars(
        select(Event).where(Event.dossier_id == dossier_id).order_by(Event.id)
    ).all()
    units = unit_refs(session, [u for e in events for u in (e.unit_id, e.to_unit_id)])
    users = user_refs(session, (e.actor_id for e in events))
    return [
        EventView(
            id=e.id,
            kind=e.kind,
            at=e.at,
            step_name=e.step_name,
            element_id=e.element_id,
            actor=users.get(e.actor_id) if e.actor_id else None,
            unit=units.get(e.unit_id) if e.unit_id else None,
            to_unit=units.get(e.to_unit_id) if e.to_unit_id else None,
            detail=e.detail,
        )
        for e in events
    ]


def same_day_dossiers(
    session: Session, *, procedure_code: str, id_number: str, now: datetime
) -> list[str]:
    """Codes of the dossiers the same applicant (by ID number) filed for the same procedure on
    the same local day: the counter asks before receiving another one."""
    day = to_local(now).date()
    start = datetime.combine(day, time.min, LOCAL_TZ)
    codes = session.scalars(
        select(Dossier.code)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .where(
            Procedure.code == procedure_code,
            Dossier.received_at >= start,
            Dossier.received_at < start + timedelta(days=1),
            Dossier.applicant["id_number"].as_string() == id_number.strip(),
        )
        .order_by(Dossier.id)
        .limit(5)
    ).all()
    return list(codes)
