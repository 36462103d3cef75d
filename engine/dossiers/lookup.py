"""The short key printed on the receipt, and the public lookup by code and key that guards it
against guessing (the read itself is engine.queries.tracking)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlalchemy import select

from engine.access import login_limits
from engine.access.login_limits import LookupPolicy
from engine.errors import NotFound
from engine.models import Dossier
from engine.queries.tracking import TrackingView
from engine.queries.tracking import track
from engine.store.db import utcnow
from engine.store.uow import PendingRows
from engine.store.uow import UnitOfWork

KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O or 1/I: a key read aloud or copied from paper comes out right."""
KEY_LENGTH = 6


_KEY_TAKEN = select(Dossier.__table__.c.id).where(
    Dossier.__table__.c.lookup_key == bindparam("key")
)


@dataclass(frozen=True)
class KeyDraw:
    """A random key being checked against the other dossiers' (see `draw_lookup_key`)."""

    uow: UnitOfWork
    key: str
    taken: PendingRows

    def confirmed(self) -> str:
        """The key, or, in the rare case another dossier has it, another one no dossier has
        (the unique index is the final guard)."""
        key, taken = self.key, bool(self.taken.rows())
        while taken:
            key = _random_key()
            taken = self.uow.session.scalar(_KEY_TAKEN, {"key": key}) is not None
        return key


def draw_lookup_key(uow: UnitOfWork) -> KeyDraw:
    """Draw a key for a new dossier; the check that no dossier has it rides with the
    transaction's next statement (on PostgreSQL, in its round trip)."""
    key = _random_key()
    return KeyDraw(uow, key, uow.read_along(_KEY_TAKEN, {"key": key}))


def _random_key() -> str:
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def track_guarded(
    uow: UnitOfWork, client_ip: str, policy: LookupPolicy, *, code: str, key: str
) -> TrackingView:
    """`track` for the public: an address that gave wrong codes or keys too often lately is
    refused (429) before anything found is shown, and each wrong pair counts against it. The
    count rides with the lookup's read: one round trip. Codes and keys are printed in capitals:
    typed in lower case or with spaces, they are the same code and key (and no failure)."""
    code, key = _as_printed(code), _as_printed(key)
    now = utcnow()
    counter = login_limits.lookup_counter(uow, policy, ip=client_ip, now=now)
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


def _as_printed(typed: str) -> str:
    return "".join(typed.split()).upper()
