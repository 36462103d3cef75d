"""Audit rows for staff reads of a dossier, written by routes and pages once the read succeeded."""

from __future__ import annotations

from api.auth import client
from api.auth import current_actor
from api.database import new_uow
from engine.people import audit


def record_read(
    action: str,
    *,
    dossier_id: int,
    target_type: str = "dossier",
    target_id: int | None = None,
    detail: str | None = None,
) -> None:
    read = audit.Read(action, dossier_id, target_type, target_id or dossier_id, detail)
    with new_uow() as uow:
        audit.record_read(uow, current_actor(), client(), read)
