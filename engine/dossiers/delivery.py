"""Handing over the result: in person, by post or electronically, recorded on the dossier."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.dossier_access import locked_dossier
from engine.errors import InvalidData
from engine.instance.events import event
from engine.instance.events import event_values
from engine.instance.events import insert_events
from engine.instance.finishing import finish
from engine.instance.status_changes import change_status
from engine.models import Dossier
from engine.queries.dossiers import dossier_view
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork
from engine.views import DossierView

DELIVERY_METHODS = ("in_person", "postal", "electronic")
ADDRESS_KEYS = ("delivery_address", "postal_address", "address")
"""Where a form or the reception keeps the postal address a result goes to, first found wins:
the reception's `delivery_address` fills a return step's address field of any of these names."""


def return_result(
    uow: UnitOfWork,
    actor: Actor,
    dossier_id: int,
    *,
    method: str,
    tracking_number: str | None = None,
    address: str | None = None,
    now: datetime | None = None,
) -> DossierView:
    """Hand over the result of a processed dossier: in person, by public post, or electronically."""
    _check_delivery(method, address)
    uow.begin_write()
    dossier = locked_dossier(uow, actor, dossier_id, "return_result")
    record_delivery(
        uow.session,
        dossier,
        method=method,
        tracking_number=tracking_number,
        address=address,
        actor_id=actor.user_id,
        now=now or utcnow(),
    )
    uow.commit()
    return dossier_view(uow.session, dossier, with_history=False)


def _check_delivery(method: str, address: str | None) -> None:
    if method not in DELIVERY_METHODS:
        raise InvalidData(
            "unknown delivery method", {"method": [f"Chỉ nhận: {', '.join(DELIVERY_METHODS)}."]}
        )
    if method == "postal" and not (address or "").strip():
        raise InvalidData(
            "postal delivery needs an address", {"address": ["Nhập địa chỉ nhận qua bưu chính."]}
        )


def record_delivery(
    session: Session,
    dossier: Dossier,
    *,
    method: str,
    tracking_number: str | None,
    address: str | None,
    actor_id: int | None,
    now: datetime,
) -> None:
    """The result is handed over: delivery on the dossier, the event, status result_returned."""
    dossier.delivery_method = method
    dossier.delivery_tracking_number = tracking_number or None
    dossier.delivery_address = address or None
    dossier.returned_at = now
    if dossier.finished_at is None:
        finish(dossier, now)
    session.add(
        event(
            dossier.id,
            "result_returned",
            now,
            actor_id=actor_id,
            unit_id=dossier.receiving_unit_id,
            detail={"method": method, "tracking_number": tracking_number, "address": address},
        )
    )
    change_status(session, dossier, "result_returned", actor_id=actor_id, now=now)


def delivery_from_step(
    session: Session, dossier: Dossier, data: dict[str, Any], *, actor_id: int, now: datetime
) -> None:
    """A diagram that ends on its own return step: copy that step's delivery onto the dossier.

    Called after the completing step moved the dossier to result_returned.
    """
    method = str(data.get("delivery_method") or data.get("method") or "in_person")
    tracking = data.get("tracking_number")
    address = next((data[key] for key in ADDRESS_KEYS if data.get(key)), None)
    dossier.delivery_method = method
    dossier.delivery_tracking_number = str(tracking) if tracking else None
    dossier.delivery_address = str(address) if address else None
    dossier.returned_at = now
    returned = event_values(
        dossier.id,
        "result_returned",
        now,
        actor_id=actor_id,
        unit_id=dossier.receiving_unit_id,
        detail={
            "method": method,
            "tracking_number": dossier.delivery_tracking_number,
            "address": dossier.delivery_address,
        },
    )
    insert_events(session, [returned])
