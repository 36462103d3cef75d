"""Citizens track a dossier by its code and the short key printed on the receipt, no account."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import login_limits
from engine.db import utcnow
from engine.errors import NotFound
from engine.login_limits import LookupPolicy
from engine.models import Dossier
from engine.models import ProcedureVersion
from engine.status import STATUSES
from engine.timeliness import classify
from engine.uow import UnitOfWork
from engine.write_behind import FollowingRead
from engine.write_behind import read_with_next

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


_KEY_TAKEN = select(Dossier.__table__.c.id).where(
    Dossier.__table__.c.lookup_key == bindparam("key")
)


@dataclass(frozen=True)
class KeyDraw:
    """A random key being checked against the other dossiers' (see `draw_lookup_key`)."""

    session: Session
    key: str
    taken: FollowingRead

    def confirmed(self) -> str:
        """The key, or, in the rare case another dossier has it, another one no dossier has
        (the unique index is the final guard)."""
        key, taken = self.key, bool(self.taken.rows())
        while taken:
            key = _random_key()
            taken = self.session.scalar(_KEY_TAKEN, {"key": key}) is not None
        return key


def draw_lookup_key(session: Session) -> KeyDraw:
    """Draw a key for a new dossier; the check that no dossier has it rides with the
    transaction's next statement (on PostgreSQL, in its round trip)."""
    key = _random_key()
    return KeyDraw(session, key, read_with_next(session, _KEY_TAKEN, {"key": key}))


def _random_key() -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


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


def track_guarded(
    uow: UnitOfWork, client_ip: str, policy: LookupPolicy, *, code: str, key: str
) -> TrackingView:
    """`track` for the public: an address that gave wrong codes or keys too often lately is
    refused (429) before anything found is shown, and each wrong pair counts against it. The
    count rides with the lookup's read: one round trip."""
    now = utcnow()
    counter = login_limits.lookup_counter(uow.session, policy, ip=client_ip, now=now)
    try:
        view = track(uow.session, code=code, key=key, now=now)
    except NotFound as missing:
        login_limits.refuse_lookup_while_full(counter, policy, now)
        uow.session.rollback()
        uow.begin_write()
        login_limits.record_lookup_failure(uow.session, policy, ip=client_ip, now=now)
        uow.commit()
        raise missing from None
    login_limits.refuse_lookup_while_full(counter, policy, now)
    return view


def timeliness_of(dossier: Dossier, now: datetime) -> str:
    """Judged against the statutory due time: an apology's new date does not make it on time."""
    return classify(
        due_at=dossier.original_due_at or dossier.due_at,
        finished_at=dossier.finished_at,
        paused=dossier.status == "supplement_requested",
        now=now,
    )
