"""Receiving a dossier: code it, start its procedure's workflow, open the first tasks."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Insert
from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.units import UnitNode
from engine.access.units import UnitTree
from engine.access.units import cached_unit
from engine.access.units import cached_unit_by_code
from engine.access.units import unit_tree
from engine.bpmn import decisions
from engine.bpmn import runtime
from engine.bpmn.versions import compiled_for
from engine.bpmn.versions import spec_key_of
from engine.dossiers.lookup import draw_lookup_key
from engine.dossiers.payments import fee_event
from engine.errors import Conflict
from engine.errors import Forbidden
from engine.errors import InvalidData
from engine.errors import NotFound
from engine.instance.events import event_values
from engine.instance.step import Mover
from engine.instance.step import advance
from engine.models import Dossier
from engine.models import DossierCounter
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.models import Task
from engine.queries.dossiers import view_of
from engine.queries.task_views import task_views
from engine.rules import calendar
from engine.rules import fees
from engine.rules import forms
from engine.rules.folding import search_text
from engine.store.db import utcnow
from engine.store.uow import PendingRows
from engine.store.uow import UnitOfWork
from engine.store.uow import columns_of
from engine.views import DossierView
from engine.views import WaitView

CHANNELS = ("in_person", "online", "postal")
RECEPTION_POINT_KINDS = ("counter", "mobile", "health_facility")
"""Where a dossier was taken in: the center's counter, a mobile reception point (a hamlet's
People's Committee on fixed weekdays, weekend sessions) or a health facility (newborn bundle)."""


@dataclass(frozen=True)
class Submission:
    procedure_code: str
    applicant: dict[str, Any]
    channel: str
    data: dict[str, Any]
    unit: str | None = None
    reception_point: dict[str, Any] | None = None


@dataclass(frozen=True)
class _Receipt:
    """What receiving produced, so the answer needs no second read."""

    dossier: Dossier
    version: ProcedureVersion
    receiving: UnitNode
    competent: UnitNode
    tasks: list[Task]
    waits: list[WaitView]


def submit(uow: UnitOfWork, actor: Actor, submission: Submission) -> DossierView:
    """Receive a dossier at the actor's reception unit and route it to the competent unit."""
    check_submission(submission)
    uow.begin_write()
    receipt = _receive(uow, actor, submission, now=utcnow(), extra_event_detail={})
    uow.commit()
    return _view(uow.session, receipt, submission.procedure_code)


def check_submission(submission: Submission) -> None:
    """Input rules that need no database; raised before any lock is taken."""
    if submission.channel not in CHANNELS:
        raise InvalidData("unknown channel", {"channel": [f"Chỉ nhận: {', '.join(CHANNELS)}."]})
    point = submission.reception_point or {}
    kind = point.get("kind", "counter")
    if kind not in RECEPTION_POINT_KINDS:
        raise InvalidData(
            "unknown reception point",
            {"reception_point.kind": [f"Chỉ nhận: {', '.join(RECEPTION_POINT_KINDS)}."]},
        )
    if kind != "counter" and not str(point.get("name") or "").strip():
        raise InvalidData(
            "name the reception point",
            {"reception_point.name": ["Nhập tên điểm tiếp nhận (thôn, cơ sở y tế...)."]},
        )


def receive(
    uow: UnitOfWork,
    actor: Actor,
    submission: Submission,
    *,
    now: datetime,
    extra_event_detail: dict[str, Any] | None = None,
) -> Dossier:
    """Code the dossier, start its workflow and open the first tasks, inside the caller's write
    transaction; the caller commits."""
    return _receive(
        uow, actor, submission, now=now, extra_event_detail=extra_event_detail or {}
    ).dossier


def _receive(
    uow: UnitOfWork,
    actor: Actor,
    submission: Submission,
    *,
    now: datetime,
    extra_event_detail: dict[str, Any],
) -> _Receipt:
    session = uow.session
    units = unit_tree(session)
    receiving = _receiving_unit(session, actor, submission.unit)
    competent = _competent_unit(session, units, receiving, submission.unit)
    # the procedure's current version and the key's check ride with the counter's upsert:
    # BEGIN and all three are the receipt's first round trip
    version_read = uow.read_along(_CURRENT_VERSION, {"code": submission.procedure_code})
    key = draw_lookup_key(uow)
    code = _next_code(uow, receiving, now)
    version = _current_version(uow, version_read, submission.procedure_code)
    compiled = compiled_for(session, spec_key_of(version), version.id)
    if forms.RECEPTION_FORM in compiled.forms:  # what the desk records besides the applicant
        submission = replace(
            submission,
            data=forms.validate_part(
                compiled.forms[forms.RECEPTION_FORM],
                submission.data,
                today=calendar.to_local(now).date(),
            ),
        )
    point = submission.reception_point or {}
    due = calendar.limit_due_at(now, version.time_limit_days, version.time_limit_unit)
    dossier = uow.insert(  # the new id in the counter's next round trip
        Dossier,
        dict(
            code=code,
            lookup_key=key.confirmed(),
            procedure_id=version.procedure_id,
            procedure_version_id=version.id,
            spec_key=spec_key_of(version),
            status="received",
            channel=submission.channel,
            applicant=submission.applicant,
            search_text=search_text(code, submission.applicant),
            data=submission.data,
            receiving_unit_id=receiving.id,
            competent_unit_id=competent.id,
            reception_point_kind=point.get("kind", "counter"),
            reception_point_name=str(point.get("name") or "").strip() or receiving.name,
            received_at=now,
            due_at=due,
            original_due_at=due,
            paused_days=0,
            fee_amount=fees.amount_due(
                version.fee_rule,
                submission.data,
                lambda table, inputs: decisions.decide(compiled, table, inputs),
            ),
            fee_paid=False,
            created_by=actor.user_id,
        ),
    )
    received = _received_event(dossier, version, actor, now, extra_event_detail)
    fee = [fee_event(dossier, actor.user_id, now)] if dossier.fee_amount else []
    data = {"applicant": submission.applicant, "channel": submission.channel, **submission.data}
    started = advance(
        session,
        dossier,
        lambda workflow: runtime.begin(workflow, data),
        state=None,
        open_rows=(),
        by=Mover(actor.user_id, receiving.id, now),
        events=[received, *fee],
        compiled=compiled,
    )
    return _Receipt(dossier, version, receiving, competent, started.created, started.waits())


def _view(session: Session, receipt: _Receipt, procedure_code: str) -> DossierView:
    """The new dossier as `dossier_view` shows it, from what receiving holds."""
    dossier, version = receipt.dossier, receipt.version
    units = {node.id: node.ref for node in (receipt.receiving, receipt.competent)}
    return view_of(
        dossier,
        procedure_code=procedure_code,
        version=version,
        units=units,
        tasks=task_views(session, receipt.tasks, dossiers={dossier.id: dossier}, units=units),
        history=None,
        supplement=None,
        now=utcnow(),
        waiting_for=receipt.waits,
    )


def _received_event(
    dossier: Dossier,
    version: ProcedureVersion,
    actor: Actor,
    now: datetime,
    extra: dict[str, Any],
) -> dict[str, Any]:
    return event_values(
        dossier.id,
        "received",
        now,
        actor_id=actor.user_id,
        unit_id=dossier.receiving_unit_id,
        to_unit_id=dossier.competent_unit_id,
        detail={
            "channel": dossier.channel,
            "procedure_version": version.number,
            "reception_point": {
                "kind": dossier.reception_point_kind,
                "name": dossier.reception_point_name,
            },
            **extra,
        },
    )


def _receiving_unit(session: Session, actor: Actor, competent_code: str | None) -> UnitNode:
    """The actor's reception desk: the competent unit itself if they serve there, else a commune."""
    unit_ids = actor.units_with("reception")
    if not unit_ids:
        raise Forbidden("only reception staff may receive dossiers", role="reception")
    desks = sorted((cached_unit(session, i) for i in unit_ids), key=lambda desk: desk.id)
    for desk in desks:
        if desk.code == competent_code:
            return desk
    return next((desk for desk in desks if desk.kind != "province"), desks[0])


def _competent_unit(
    session: Session, units: UnitTree, receiving: UnitNode, code: str | None
) -> UnitNode:
    """Any commune or ward of the receiving unit's province: no administrative boundaries."""
    if code is None:
        if receiving.kind == "province":
            raise InvalidData("name the competent unit", {"unit": ["Chọn đơn vị có thẩm quyền."]})
        return receiving
    unit = cached_unit_by_code(session, code)
    if unit.kind == "province" or units.province_of(unit) != units.province_of(receiving):
        raise InvalidData(
            "the competent unit must be a commune or ward of the same province",
            {"unit": ["Đơn vị phải là xã/phường cùng tỉnh."]},
        )
    return unit


_CURRENT_VERSION = (
    select(*columns_of(ProcedureVersion))
    .join(Procedure, Procedure.current_version_id == ProcedureVersion.id)
    .where(Procedure.code == bindparam("code"))
)
"""Read with the receipt's counter upsert, as a ProcedureVersion object (UnitOfWork.as_object)."""


def _current_version(uow: UnitOfWork, read: PendingRows, code: str) -> ProcedureVersion:
    rows = read.rows()
    if not rows:
        raise NotFound(f"procedure {code!r} not found", what="procedure", code=code)
    version = uow.as_object(ProcedureVersion, rows[0])
    if version.retired_at is not None:  # retiring keeps another version current: a safeguard
        raise Conflict(
            f"version {version.number} of {code!r} is retired and takes no new dossiers",
            code=code,
            version=version.number,
        )
    return version


def _next_code(uow: UnitOfWork, unit: UnitNode, now: datetime) -> str:
    """`<unit>-<YYMMDD>-<NNNN>`: a daily sequence per receiving unit, counted by one upsert that
    holds the counter row until the commit (so two first receipts of a day cannot clash)."""
    day = now.astimezone(calendar.LOCAL_TZ).strftime("%y%m%d")
    statement = _count_receipt(uow.session.get_bind().dialect.name)
    ((last,),) = uow.rows(statement, {"unit_id": unit.id, "day": day})
    return f"{unit.code}-{day}-{last:04d}"


@lru_cache(maxsize=4)
def _count_receipt(dialect: str) -> Insert:
    """The counter's upsert, built once per dialect (both spell ON CONFLICT the same way)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(DossierCounter)
        .values(unit_id=bindparam("unit_id"), day=bindparam("day"), last=1)
        .on_conflict_do_update(
            index_elements=[DossierCounter.unit_id, DossierCounter.day],
            set_={"last": DossierCounter.last + 1},
        )
        .returning(DossierCounter.last)
    )
