"""Messages from outside: another agency's system answers (a verification, a lookup) and the
dossiers waiting for that answer move on.

A message names what it is (`name`, the BPMN message's name) and whom it is for
(`correlation`: values by correlation property name). It is for each dossier whose workflow waits
for that message with exactly those values, as its conversation fixed them (a message it sent or
received before); a wait whose conversation fixed none is addressed by the dossier's code alone,
`{"dossier_code": …}`, so no message ever goes to every dossier at once. A BPMN signal the
workflow waits for comes the same way (`kind: signal`), addressed by the dossier's code.
Dossiers are found from the awaited rows (engine.instance.awaited) without loading a
workflow; each then moves in its own transaction, under its lock, through `advance`. A
`message_id` is delivered to a dossier once: sent again, it answers what the first delivery
did and moves nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.actors import require_role_anywhere
from engine.bpmn import runtime
from engine.bpmn.runtime import Workflow
from engine.errors import Conflict
from engine.errors import NotFound
from engine.errors import WorkflowIncident
from engine.instance.awaited import correlation_key
from engine.instance.events import event_values
from engine.instance.step import Mover
from engine.instance.step import advance
from engine.models import AwaitedEvent
from engine.models import Dossier
from engine.models import MessageDelivery
from engine.models import Task
from engine.models import Unit
from engine.models import WorkflowState
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork
from engine.work.incidents import IncidentRecorded
from engine.work.incidents import failure_message
from engine.work.incidents import open_message_incident
from engine.work.incidents import record_message_failure
from engine.work.incidents import resolve

ROLE = "external_system"
DOSSIER_CODE = "dossier_code"
"""The correlation that addresses a wait whose conversation fixed no values: the dossier's code."""


@dataclass(frozen=True)
class Message:
    name: str
    correlation: dict[str, Any]
    payload: dict[str, Any]
    message_id: str
    kind: str = "message"
    """`message`, or `signal`: a BPMN signal the dossier waits for, addressed by its code."""


@dataclass(frozen=True)
class Delivered:
    dossier_id: int
    dossier_code: str
    elements: list[str]
    """The diagram elements that received it."""
    delivered_at: datetime


@dataclass(frozen=True)
class Refused:
    """A dossier whose workflow could not take the message: nothing of it moved; the message is
    kept in an incident, delivered again by its retry once the diagram is fixed, or settled when
    the sender sends it again and it is taken."""

    dossier_id: int
    dossier_code: str
    reason: str
    incident_id: int


@dataclass(frozen=True)
class MessageAnswer:
    message_id: str
    name: str
    deliveries: list[Delivered]
    refused: list[Refused]
    replayed: bool
    """The message id was delivered before: this is that delivery, and nothing moved now."""


def deliver(new_uow: Callable[[], UnitOfWork], actor: Actor, message: Message) -> MessageAnswer:
    """Deliver the message to every dossier (of the sender's units) waiting for it.

    NotFound when none waits; Conflict when the id was used for another message;
    WorkflowIncident when every dossier waiting for it failed to take it."""
    require_role_anywhere(actor, ROLE)
    with new_uow() as uow:
        earlier = _deliveries(uow.session, message.message_id)
        if earlier:
            return _replay(message, earlier)
        dossier_ids = _waiting(uow.session, actor, message)
    if not dossier_ids:
        raise _none_waits(message)
    refused = []
    for dossier_id in dossier_ids:
        try:
            with new_uow() as uow:
                deliver_to(uow, actor, dossier_id, message)
        except WorkflowIncident as exc:
            reason = failure_message(exc)
            with new_uow() as uow:
                incident_id = record_message_failure(
                    uow, actor, dossier_id, asdict(message), reason
                )
            refused.append((dossier_id, reason, incident_id))
    with new_uow() as uow:
        delivered = _deliveries(uow.session, message.message_id)
        codes = _codes(uow.session, [dossier_id for dossier_id, _reason, _id in refused])
    if not delivered and refused:
        dossier_id, reason, incident_id = refused[0]
        raise IncidentRecorded(
            f"dossier {codes[dossier_id]} could not take the message {message.name!r}: {reason}",
            incident_id,
        )
    if not delivered:
        raise _none_waits(message)  # every dossier stopped waiting while we got to it
    return MessageAnswer(
        message.message_id,
        message.name,
        [delivery for delivery, _sent in delivered],
        [Refused(d, codes[d], reason, incident_id) for d, reason, incident_id in refused],
        replayed=False,
    )


def _none_waits(message: Message) -> NotFound:
    return NotFound(
        f"no dossier waits for the message {message.name!r} with this correlation",
        what="message",
        name=message.name,
    )


_DELIVERIES = (
    select(
        MessageDelivery.dossier_id,
        Dossier.code,
        MessageDelivery.caught_by,
        MessageDelivery.delivered_at,
        MessageDelivery.name,
        MessageDelivery.correlation,
    )
    .join(Dossier, Dossier.id == MessageDelivery.dossier_id)
    .where(MessageDelivery.message_id == bindparam("message_id"))
    .order_by(MessageDelivery.dossier_id)
)


def _deliveries(
    session: Session, message_id: str
) -> list[tuple[Delivered, tuple[str, dict[str, Any]]]]:
    """The id's deliveries so far, each with the message (name, correlation) it carried."""
    return [
        (Delivered(dossier_id, code, list(caught_by), at), (name, correlation))
        for dossier_id, code, caught_by, at, name, correlation in session.execute(
            _DELIVERIES, {"message_id": message_id}
        )
    ]


def _replay(
    message: Message, earlier: list[tuple[Delivered, tuple[str, dict[str, Any]]]]
) -> MessageAnswer:
    if earlier[0][1] != (message.name, message.correlation):
        raise Conflict(
            "this message_id was already used for another message",
            message_id=message.message_id,
        )
    deliveries = [delivery for delivery, _sent in earlier]
    return MessageAnswer(message.message_id, message.name, deliveries, [], replayed=True)


def _codes(session: Session, dossier_ids: list[int]) -> dict[int, str]:
    if not dossier_ids:
        return {}
    rows = session.execute(select(Dossier.id, Dossier.code).where(Dossier.id.in_(dossier_ids)))
    return {dossier_id: code for dossier_id, code in rows}


def _waiting(session: Session, actor: Actor, message: Message) -> list[int]:
    """The dossiers, of the units the sender serves, whose workflow waits for the message with
    its correlation: read from the awaited rows, never a workflow."""
    query = (
        select(AwaitedEvent.dossier_id)
        .join(Dossier, Dossier.id == AwaitedEvent.dossier_id)
        .where(
            AwaitedEvent.kind == message.kind,
            AwaitedEvent.name == message.name,
            _addressed(message.correlation),
        )
        .distinct()
        .order_by(AwaitedEvent.dossier_id)
    )
    units = _served_units(session, actor)
    if units is not None:
        query = query.where(
            or_(Dossier.competent_unit_id.in_(units), Dossier.receiving_unit_id.in_(units))
        )
    return list(session.scalars(query).all())


def _addressed(correlation: dict[str, Any]) -> ColumnElement[bool]:
    """Exactly the values the wait expects; or, for a wait that expects none, the code."""
    key = correlation_key(correlation)
    exact = AwaitedEvent.correlation_key == key
    if set(correlation) != {DOSSIER_CODE}:
        return exact
    by_code = and_(
        AwaitedEvent.correlation_key.is_(None), Dossier.code == str(correlation[DOSSIER_CODE])
    )
    return or_(exact, by_code)


def _served_units(session: Session, actor: Actor) -> set[int] | None:
    """The units the sender holds the role in and the communes under them; None: every unit
    (administrators)."""
    if actor.is_admin:
        return None
    own = set(actor.units_with(ROLE))
    children = session.scalars(select(Unit.id).where(Unit.parent_id.in_(own))).all()
    return own | set(children)


_LOCK_DOSSIER = select(Dossier).where(Dossier.id == bindparam("dossier_id"))
_DELIVERED_HERE = select(MessageDelivery.id).where(
    MessageDelivery.message_id == bindparam("message_id"),
    MessageDelivery.dossier_id == bindparam("dossier_id"),
)
_STATE = select(WorkflowState.state).where(WorkflowState.dossier_id == bindparam("dossier_id"))
_OPEN_ROWS = select(Task.id, Task.spiff_task_id).where(
    Task.dossier_id == bindparam("dossier_id"), Task.state == "open"
)


def deliver_to(
    uow: UnitOfWork, actor: Actor, dossier_id: int, message: Message, *, settles: bool = True
) -> bool:
    """One dossier's delivery, under its lock; commits only when its workflow took it (it may
    have stopped waiting, or got this id from a concurrent send, since the dossier was found).
    Whether it was taken now; an open incident of an earlier failed delivery is settled
    (`settles`), unless the incident's own retry delivers it."""
    uow.begin_write()
    session = uow.session
    params = {"dossier_id": dossier_id, "message_id": message.message_id}
    dossier: Dossier = uow.lock_one(_LOCK_DOSSIER, "dossier", dossier_id, params)[0]
    if session.scalar(_DELIVERED_HERE, params) is not None:
        return False
    state = session.scalar(_STATE, params)
    if state is None:
        return False
    now = utcnow()
    received = event_values(
        dossier.id,
        f"{message.kind}_received",
        now,
        actor_id=actor.user_id,
        unit_id=dossier.competent_unit_id,
        detail={
            "name": message.name,
            "message_id": message.message_id,
            "correlation": message.correlation,
            "payload": message.payload,
        },
    )
    caught: list[str] = []

    def receive(workflow: Workflow) -> None:
        """Runs before the step writes its events: the event names the receiving element."""
        if message.kind == "signal":
            caught.extend(runtime.deliver_signal(workflow, message.name, message.payload))
        else:
            caught.extend(
                runtime.deliver_message(
                    workflow, message.name, message.correlation, message.payload
                )
            )
        received["element_id"] = caught[0] if caught else None
        received["detail"]["elements"] = caught

    advance(
        session,
        dossier,
        receive,
        state=state,
        open_rows=[
            (task_id, spiff_id) for task_id, spiff_id in session.execute(_OPEN_ROWS, params)
        ],
        by=Mover(actor.user_id, dossier.competent_unit_id, now),
        events=[received],
    )
    if not caught:
        return False  # it waits no more: what the step wrote is rolled back
    session.add(
        MessageDelivery(
            message_id=message.message_id,
            name=message.name,
            correlation=message.correlation,
            dossier_id=dossier.id,
            sender_id=actor.user_id,
            delivered_at=now,
            caught_by=caught,
            payload=message.payload,
        )
    )
    earlier_failure = open_message_incident(session, dossier.id, message.name) if settles else None
    if earlier_failure is not None:
        resolve(session, earlier_failure, actor, now, "message_delivered")
    uow.commit()
    return True
