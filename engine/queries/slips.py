"""What each legal form (Circular 01/2018 forms 01-06) and the newborn congratulatory letter
print, assembled from the dossier, task and event tables; no workflow is ever loaded."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from decimal import Decimal
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
from engine.models import Task
from engine.queries.answers import printed_on_slips
from engine.queries.control_slip import ControlRow
from engine.queries.control_slip import TaskState
from engine.queries.control_slip import TrailEvent
from engine.queries.control_slip import control_rows
from engine.queries.refs import unit_refs
from engine.queries.refs import user_refs
from engine.queries.registers import Register
from engine.queries.registers import dossier_register
from engine.rules.calendar import LOCAL_TZ
from engine.rules.forms import Field
from engine.rules.status import STATUSES
from engine.store.db import utcnow
from engine.views import UnitRef

FORMS = ("01", "02", "03", "04", "05", "06")
LETTER_PROCEDURES = frozenset({"newborn_bundle"})
"""Procedures whose result comes with the People's Committee's congratulatory letter."""

When = datetime | date | str | None
"""A time read from an event's detail: parsed when it is ISO 8601, else kept as written."""


@dataclass(frozen=True)
class DocumentLine:
    name: str
    kind: str | None = None
    quantity: int | None = None


@dataclass(frozen=True)
class SlipApplicant:
    full_name: str | None
    id_number: str | None
    phone: str | None
    address: str | None


@dataclass(frozen=True)
class SlipLine:
    """A reception form's answer printed under the applicant: its label and value (an option by
    its label, a date as a date)."""

    label: str
    value: When


@dataclass(frozen=True)
class SlipDossier:
    """What every slip prints about its dossier; missing catalogue data stays None."""

    id: int
    code: str
    lookup_key: str | None
    procedure_code: str
    procedure_name: str
    time_limit_days: int
    channel: str
    status: str
    status_label: str
    applicant: SlipApplicant
    receiving_unit: UnitRef
    competent_unit: UnitRef
    received_by: str | None
    received_at: datetime
    due_at: datetime | None
    finished_at: datetime | None
    fee: int | None
    delivery_method: str | None
    delivery_address: str | None
    reception_point: str | None
    """Outreach point where the dossier was received; None at the one-stop counter."""
    documents: list[DocumentLine]
    recorded: list[SlipLine] = field(default_factory=list)
    """The reception form's fields marked to print on the slips (the newborn's name and date
    of birth), for forms 01, 02 and 05."""
    national_code: str | None = None
    """The procedure's code in the national procedure database, printed beside its name."""


@dataclass(frozen=True)
class Notice:
    """The event behind forms 02 (supplement), 03 (refusal) and 04 (apology)."""

    at: datetime
    by: str | None
    unit: UnitRef | None
    reason: str | None
    items: list[str] = field(default_factory=list)
    applicant_due_at: When = None
    old_due_at: When = None
    new_due_at: When = None


@dataclass(frozen=True)
class DossierSlip:
    form: str
    dossier: SlipDossier
    notice: Notice | None = None
    rows: list[ControlRow] = field(default_factory=list)
    register: Register | None = None


@dataclass(frozen=True)
class Letter:
    dossier: SlipDossier
    child_full_name: str | None
    child_birth_date: When
    birth_registration_number: str | None
    child_personal_id: str | None
    social_security_number: str | None
    issued_at: datetime


def dossier_slip(session: Session, actor: Actor, *, dossier_id: int, form: str) -> DossierSlip:
    """One form for one dossier; forms 02-04 print their latest event, blank when none."""
    if form not in FORMS:
        raise NotFound(f"form {form!r} does not exist (01-06)", what="form", form=form)
    dossier = _visible_dossier(session, actor, dossier_id)
    trail = _trail(session, dossier.id)
    header = _header(session, dossier, trail)
    if form == "02":
        return DossierSlip(form, header, notice=_supplement_notice(trail))
    if form == "03":
        return DossierSlip(form, header, notice=_refusal_notice(trail))
    if form == "04":
        return DossierSlip(form, header, notice=_apology_notice(trail))
    if form == "05":
        rows = control_rows(
            trail, _task_states(session, dossier.id), applicant_name=header.applicant.full_name
        )
        return DossierSlip(form, header, rows=rows)
    if form == "06":
        return DossierSlip(form, header, register=dossier_register(session, dossier))
    return DossierSlip(form, header)


def congratulation_letter(session: Session, actor: Actor, *, dossier_id: int) -> Letter:
    """The newborn bundle's letter; the child's details come from the dossier and its steps."""
    dossier = _visible_dossier(session, actor, dossier_id)
    trail = _trail(session, dossier.id)
    header = _header(session, dossier, trail)
    if header.procedure_code not in LETTER_PROCEDURES:
        raise NotFound(
            "only the newborn bundle comes with a congratulatory letter",
            what="letter",
            id=dossier_id,
        )
    facts: dict[str, Any] = dict(dossier.data or {})
    for item in trail:
        data = item.detail.get("data") if item.kind == "task_completed" else None
        if isinstance(data, Mapping):
            facts.update({key: value for key, value in data.items() if value not in (None, "")})
    return Letter(
        dossier=header,
        child_full_name=_text(facts.get("child_full_name")),
        child_birth_date=_when(facts.get("child_birth_date") or facts.get("child_date_of_birth")),
        birth_registration_number=_text(facts.get("birth_registration_number")),
        child_personal_id=_text(facts.get("child_personal_id")),
        social_security_number=_text(facts.get("social_security_number")),
        issued_at=dossier.finished_at or utcnow(),
    )


def _visible_dossier(session: Session, actor: Actor, dossier_id: int) -> Dossier:
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        raise NotFound(f"dossier {dossier_id} not found", what="dossier", id=dossier_id)
    require_visible(session, actor, dossier)
    return dossier


def _trail(session: Session, dossier_id: int) -> list[TrailEvent]:
    events = session.scalars(
        select(Event).where(Event.dossier_id == dossier_id).order_by(Event.id)
    ).all()
    units = unit_refs(session, [u for e in events for u in (e.unit_id, e.to_unit_id)])
    users = user_refs(session, (e.actor_id for e in events))
    return [
        TrailEvent(
            kind=e.kind,
            at=e.at,
            actor=users.get(e.actor_id) if e.actor_id else None,
            unit=units.get(e.unit_id) if e.unit_id else None,
            to_unit=units.get(e.to_unit_id) if e.to_unit_id else None,
            task_id=e.task_id,
            step_name=e.step_name,
            detail=e.detail or {},
        )
        for e in events
    ]


def _task_states(session: Session, dossier_id: int) -> dict[int, TaskState]:
    rows = session.execute(
        select(Task.id, Task.state, Task.due_at).where(Task.dossier_id == dossier_id)
    ).all()
    return {row.id: TaskState(row.state, row.due_at) for row in rows}


def _header(session: Session, dossier: Dossier, trail: Sequence[TrailEvent]) -> SlipDossier:
    code, version = session.execute(
        select(Procedure.code, ProcedureVersion)
        .join(ProcedureVersion, ProcedureVersion.procedure_id == Procedure.id)
        .where(ProcedureVersion.id == dossier.procedure_version_id)
    ).one()
    units = unit_refs(session, [dossier.receiving_unit_id, dossier.competent_unit_id])
    applicant = dossier.applicant or {}
    received = next((e for e in trail if e.kind == "received"), None)
    delivery_method, delivery_address = _delivery(dossier)
    return SlipDossier(
        id=dossier.id,
        code=dossier.code,
        lookup_key=_text(getattr(dossier, "lookup_key", None)),
        procedure_code=code,
        procedure_name=version.name_vi,
        time_limit_days=version.time_limit_days,
        channel=dossier.channel,
        status=dossier.status,
        status_label=STATUSES[dossier.status].label_vi if dossier.status in STATUSES else "",
        applicant=SlipApplicant(
            full_name=_text(applicant.get("full_name")),
            id_number=_text(applicant.get("id_number")),
            phone=_text(applicant.get("phone")),
            address=_text(applicant.get("address")),
        ),
        receiving_unit=units[dossier.receiving_unit_id],
        competent_unit=units[dossier.competent_unit_id],
        received_by=received.actor.full_name if received and received.actor else None,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        finished_at=dossier.finished_at,
        fee=_fee(_column(dossier, "fee_amount", "fee")),
        delivery_method=delivery_method,
        delivery_address=delivery_address,
        reception_point=_reception_point(dossier),
        documents=_documents((dossier.data or {}).get("documents")),
        recorded=[
            SlipLine(form_field.label, _answer(form_field, value))
            for form_field, value in printed_on_slips(version.files or {}, dossier.data or {})
        ],
        national_code=version.national_code,
    )


def _answer(form_field: Field, value: Any) -> When:
    if value is None or value == "":
        return None
    if form_field.type == "datetime":
        return _when(value)
    return dict(form_field.option_labels).get(str(value), str(value))


def _latest(trail: Sequence[TrailEvent], kind: str) -> TrailEvent | None:
    return next((e for e in reversed(trail) if e.kind == kind), None)


def _notice(item: TrailEvent, **extra: Any) -> Notice:
    return Notice(
        at=item.at,
        by=item.actor.full_name if item.actor else None,
        unit=item.unit,
        reason=_text(item.detail.get("reason")),
        **extra,
    )


def _supplement_notice(trail: Sequence[TrailEvent]) -> Notice | None:
    """The supplement request; before such events existed, a reception check naming the
    missing papers (`missing_items`) asked for them."""
    item = _latest(trail, "supplement_requested")
    if item is not None:
        items = item.detail.get("items")
        return _notice(
            item,
            items=[str(x) for x in items] if isinstance(items, list) else [],
            applicant_due_at=_when(item.detail.get("applicant_due_at")),
        )
    for item in reversed(trail):
        data = item.detail.get("data") if item.kind == "task_completed" else None
        if isinstance(data, Mapping) and data.get("missing_items"):
            lines = str(data["missing_items"]).splitlines()
            return _notice(item, items=[line.strip() for line in lines if line.strip()])
    return None


def _refusal_notice(trail: Sequence[TrailEvent]) -> Notice | None:
    item = _latest(trail, "refused")
    if item is not None:
        return _notice(item)
    changed = [e for e in trail if e.kind == "status_changed" and e.detail.get("to") == "refused"]
    return _notice(changed[-1]) if changed else None


def _apology_notice(trail: Sequence[TrailEvent]) -> Notice | None:
    item = _latest(trail, "apology_issued")
    if item is None:
        return None
    return _notice(
        item,
        old_due_at=_when(item.detail.get("old_due_at")),
        new_due_at=_when(item.detail.get("new_due_at")),
    )


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _when(value: Any) -> When:
    if value is None or value == "" or isinstance(value, datetime | date):
        return value or None
    text = str(value)
    try:
        if "T" not in text:
            return date.fromisoformat(text)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


def _fee(value: Any) -> int | None:
    """Whole đồng, from a number, a numeric string or a mapping with an amount."""
    if isinstance(value, Mapping):
        value = value.get("amount")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal):
        return int(value)
    try:
        return int(Decimal(str(value)))
    except (ArithmeticError, ValueError):
        return None


def _column(dossier: Dossier, *names: str) -> Any:
    """The first of `names` the dossier table has and set: lifecycle columns are optional."""
    return next((v for v in (getattr(dossier, n, None) for n in names) if v is not None), None)


def _delivery(dossier: Dossier) -> tuple[str | None, str | None]:
    """(method code, address) from the delivery columns, or a `delivery` code or mapping."""
    value = _column(dossier, "delivery_method", "delivery")
    if isinstance(value, Mapping):
        return _text(value.get("method")), _text(value.get("address"))
    return _text(value), _text(getattr(dossier, "delivery_address", None))


def _reception_point(dossier: Dossier) -> str | None:
    """Where the dossier was taken in when not at the one-stop counter (a village, a clinic)."""
    if getattr(dossier, "reception_point_kind", None) == "counter":
        return None
    value = _column(dossier, "reception_point_name", "reception_point")
    if isinstance(value, Mapping):
        parts = [value.get("name"), value.get("address")]
        return ", ".join(str(p) for p in parts if p) or None
    return _text(value)


def _documents(value: Any) -> list[DocumentLine]:
    """Submitted papers from `data.documents`: names, or {name, kind, quantity} mappings."""
    if not isinstance(value, list):
        return []
    lines = []
    for item in value:
        if isinstance(item, Mapping):
            name = _text(item.get("name") or item.get("title"))
            if name:
                quantity = item.get("quantity")
                lines.append(
                    DocumentLine(
                        name,
                        _text(item.get("kind") or item.get("form")),
                        quantity if isinstance(quantity, int) else None,
                    )
                )
        elif _text(item):
            lines.append(DocumentLine(str(item)))
    return lines
