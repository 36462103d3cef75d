"""Citizens track a dossier by its code and the short key printed on the receipt, no account."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.db import utcnow
from engine.errors import NotFound
from engine.models import Dossier
from engine.models import ProcedureVersion
from engine.status import STATUSES
from engine.timeliness import classify

KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O or 1/I: a key read aloud or copied from paper comes out right."""
KEY_LENGTH = 6


@dataclass(frozen=True)
class TrackingView:
    """All a citizen learns from a code and key: nothing about the applicant or the staff."""

    status: str
    status_code: int
    status_label: str
    procedure_name: str
    received_at: datetime
    due_at: datetime | None
    timeliness: str


def new_lookup_key(session: Session) -> str:
    """A random key no other dossier has (the unique index is the final guard)."""
    while True:
        key = "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))
        if session.scalar(select(Dossier.id).where(Dossier.lookup_key == key)) is None:
            return key


def track(session: Session, *, code: str, key: str, now: datetime | None = None) -> TrackingView:
    """The public status of a dossier; an unknown code and a wrong key get the same answer."""
    row = session.execute(
        select(Dossier, ProcedureVersion.name_vi)
        .join(ProcedureVersion, ProcedureVersion.id == Dossier.procedure_version_id)
        .where(Dossier.code == code.strip())
    ).one_or_none()
    given = key.strip().upper().encode()
    if row is None or not hmac.compare_digest(row[0].lookup_key.encode(), given):
        raise NotFound("no dossier with this code and key", what="dossier")
    dossier, procedure_name = row
    status = STATUSES[dossier.status]
    return TrackingView(
        status=status.slug,
        status_code=status.code,
        status_label=status.label_vi,
        procedure_name=procedure_name,
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        timeliness=timeliness_of(dossier, now or utcnow()),
    )


def timeliness_of(dossier: Dossier, now: datetime) -> str:
    """Judged against the statutory due time: an apology's new date does not make it on time."""
    return classify(
        due_at=dossier.original_due_at or dossier.due_at,
        finished_at=dossier.finished_at,
        paused=dossier.status == "supplement_requested",
        now=now,
    )
