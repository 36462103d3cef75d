"""The periodic check behind the stall guard: a dossier in progress with no open task, no waiting
timer and no awaited event would wait forever. The step sequence refuses such a move as it
happens; this finds any that slipped through (an older version's rules, a hand edit of the
database) and opens an incident for each, once."""

from __future__ import annotations

from datetime import datetime

from engine.queries.stalls import stalled_dossiers
from engine.store.uow import UnitOfWork
from engine.work.incidents import record_stall

BATCH_SIZE = 200


def report_stalled(uow: UnitOfWork, *, now: datetime, limit: int = BATCH_SIZE) -> int:
    """Open an incident for each dossier in progress that waits on nothing; how many."""
    uow.begin_write()
    session = uow.session
    found = stalled_dossiers(session, limit=limit)
    opened = sum(record_stall(session, dossier_id=dossier_id, now=now) for dossier_id in found)
    uow.commit()
    return opened
