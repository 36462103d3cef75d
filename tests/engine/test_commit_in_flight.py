"""A commit left in flight, and writes sent ahead (engine.store.write_behind on PostgreSQL): what a
user would notice if they went wrong is a step answered as done that the database did not
keep, a refused write kept in part, a read missing what the command wrote, or a connection
left unusable. On SQLite the commit ends before the command returns, and these tests check
that too."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from api.database import EXTENSION_KEY
from engine.models import Notification
from engine.store.uow import UnitOfWork
from engine.store.write_behind import read
from engine.store.write_behind import send_ahead
from tests.background import enqueue_notice

_RECIPIENTS = select(Notification.recipient).where(Notification.recipient.like("fl-%"))
_NO_SUCH_DOSSIER = 2_000_000_000


@pytest.fixture
def in_flight(app):
    """Units of work whose commits wait, as a request's do, in `pending` until finished."""
    factory = app.extensions[EXTENSION_KEY]
    pending: list = []

    def new() -> UnitOfWork:
        return UnitOfWork(factory, finish_later=pending.append)

    new.pending = pending
    new.postgresql = factory.kw["bind"].dialect.name == "postgresql"
    return new


def _recipients(new_uow) -> list[str]:
    with new_uow() as uow:
        return sorted(row[0] for row in read(uow.session, _RECIPIENTS, {}))


def _finish(in_flight) -> None:
    while in_flight.pending:
        in_flight.pending.pop(0)()


def test_a_commit_in_flight_is_kept_once_finished(in_flight, new_uow):
    with in_flight() as uow:
        uow.begin_write()
        enqueue_notice(uow.session, "fl-kept@example.vn")
        uow.commit()
    assert len(in_flight.pending) == (1 if in_flight.postgresql else 0)
    _finish(in_flight)

    assert _recipients(new_uow) == ["fl-kept@example.vn"]
    with in_flight() as uow:  # the connection went back to the pool and serves the next one
        uow.begin_write()
        enqueue_notice(uow.session, "fl-next@example.vn")
        uow.commit()
    _finish(in_flight)
    assert _recipients(new_uow) == ["fl-kept@example.vn", "fl-next@example.vn"]


def test_a_commit_refused_in_flight_raises_when_finished_and_keeps_nothing(in_flight, new_uow):
    with pytest.raises(IntegrityError, match="(?i)foreign key"):
        with in_flight() as uow:
            uow.begin_write()
            enqueue_notice(uow.session, "fl-good@example.vn")
            enqueue_notice(uow.session, "fl-orphan@example.vn", dossier_id=_NO_SUCH_DOSSIER)
            uow.commit()  # SQLite raises here; PostgreSQL when the answer is read
        _finish(in_flight)
    assert in_flight.pending == []
    assert _recipients(new_uow) == []

    with in_flight() as uow:
        uow.begin_write()
        enqueue_notice(uow.session, "fl-after@example.vn")
        uow.commit()
    _finish(in_flight)
    assert _recipients(new_uow) == ["fl-after@example.vn"]


def test_a_read_after_a_commit_in_flight_sees_what_the_command_wrote(in_flight, new_uow):
    with in_flight() as uow:
        uow.begin_write()
        enqueue_notice(uow.session, "fl-written@example.vn")
        uow.commit()
        seen = [row[0] for row in read(uow.session, _RECIPIENTS, {})]
    _finish(in_flight)

    assert seen == ["fl-written@example.vn"]
    assert _recipients(new_uow) == ["fl-written@example.vn"]


def test_writes_sent_ahead_are_seen_by_a_read_and_kept_with_the_commit(new_uow):
    with new_uow() as uow:
        uow.begin_write()
        enqueue_notice(uow.session, "fl-ahead@example.vn")
        send_ahead(uow.session)
        enqueue_notice(uow.session, "fl-behind@example.vn")
        seen = sorted(row[0] for row in read(uow.session, _RECIPIENTS, {}))
        enqueue_notice(uow.session, "fl-last@example.vn")
        send_ahead(uow.session)
        uow.commit()

    assert seen == ["fl-ahead@example.vn", "fl-behind@example.vn"]
    assert _recipients(new_uow) == [
        "fl-ahead@example.vn",
        "fl-behind@example.vn",
        "fl-last@example.vn",
    ]


def test_a_write_refused_after_it_was_sent_ahead_fails_the_commit_and_keeps_nothing(new_uow):
    with new_uow() as uow:
        uow.begin_write()
        enqueue_notice(uow.session, "fl-first@example.vn")
        enqueue_notice(uow.session, "fl-orphan@example.vn", dossier_id=_NO_SUCH_DOSSIER)
        send_ahead(uow.session)
        enqueue_notice(uow.session, "fl-later@example.vn")
        with pytest.raises(IntegrityError, match="(?i)foreign key"):
            uow.commit()
    assert _recipients(new_uow) == []


def test_a_command_that_fails_after_sending_ahead_keeps_nothing_and_the_next_is_served(new_uow):
    with pytest.raises(RuntimeError, match="the step broke"):
        with new_uow() as uow:
            uow.begin_write()
            enqueue_notice(uow.session, "fl-dropped@example.vn")
            send_ahead(uow.session)
            raise RuntimeError("the step broke")  # e.g. a script failing after the rows went
    with new_uow() as uow:
        uow.begin_write()
        enqueue_notice(uow.session, "fl-served@example.vn")
        uow.commit()

    assert _recipients(new_uow) == ["fl-served@example.vn"]
