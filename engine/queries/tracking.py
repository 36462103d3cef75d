"""What a citizen sees of a dossier from its code and key, without an account."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.models import Dossier
from engine.models import ProcedureVersion
from engine.queries.dossiers import open_supplements
from engine.rules.status import STATUSES
from engine.rules.timeliness import timeliness_of
from engine.store.db import utcnow
from engine.views import SupplementView


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
    supplement: SupplementView | None = None
    """While the dossier waits for the applicant: which papers, why, and by when."""


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
        supplement=open_supplements(session, [dossier.id]).get(dossier.id),
    )
