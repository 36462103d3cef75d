"""A command's commit (engine.store.uow, engine.store.write_behind): what waits and the COMMIT go
in one round trip on PostgreSQL and are answered before `commit()` returns; writes sent ahead
are answered with it. What a user would notice if that went wrong: a step answered as done that
the database did not keep, a refused write kept in part, a read missing what the command wrote,
or a connection left unusable for the next command after a failure
(tests/engine/test_libpq_batch.py: the same through a libpq batch)."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import OperationalError

from engine.models import Notification
from engine.store.write_behind import defer
from engine.store.write_behind import read
from engine.store.write_behind import send_ahead
from tests.background import enqueue_notice

_RECIPIENTS = select(Notification.recipient).where(Notification.recipient.like("cm-%"))
_MARK_SENT = (
    update(Notification)
    .where(Notification.recipient.in_(bindparam("recipients", expanding=True)))
    .values(status="sent")
)
_NO_SUCH_DOSSIER = 2_000_000_000


def _recipients(new_uow) -> list[str]:
    with new_uow() as uow:
        return sorted(row[0] for row in read(uow.session, _RECIPIENTS, {}))


def _write(new_uow, recipient: str) -> None:
    with new_uow() as uow:
        uow.begin_write()
        enqueue_notice(uow.session, recipient)
        uow.commit()


def test_a_committed_command_is_kept_and_its_connection_serves_the_next(new_uow):
    _write(new_uow, "cm-kept@example.vn")
    assert _recipients(new_uow) == ["cm-kept@example.vn"]

    _write(new_uow, "cm-next@example.vn")  # the connection went back to the pool
    assert _recipients(new_uow) == ["cm-kept@example.vn", "cm-next@example.vn"]


def test_a_commit_refused_raises_from_commit_and_keeps_nothing(new_uow):
    with new_uow() as uow:
        uow.begin_write()
        enqueue_notice(uow.session, "cm-good@example.vn")
        enqueue_notice(uow.session, "cm-orphan@example.vn", dossier_id=_NO_SUCH_DOSSIER)
        with pytest.raises(IntegrityError, match="(?i)foreign key"):
            uow.commit()
    assert _recipients(new_uow) == []

    _write(new_uow, "cm-after@example.vn")
    assert _recipients(new_uow) == ["cm-after@example.vn"]


def test_a_read_after_the_commit_sees_what_the_command_wrote(new_uow):
    with new_uow() as uow:
        uow.begin_write()
        enqueue_notice(uow.session, "cm-written@example.vn")
        uow.commit()
        seen = [row[0] for row in read(uow.session, _RECIPIENTS, {})]

    assert seen == ["cm-written@example.vn"]


def test_a_connection_lost_under_writes_a_batch_cannot_carry_fails_the_command_only(new_uow):
    # the database restarts (or an administrator ends the session) between a command's read and
    # its commit, and what waits rides in psycopg's pipeline (an IN list: not a libpq batch's):
    # the commit fails, nothing is kept, and the pool hands the next command a fresh connection
    with new_uow() as uow:
        if uow.session.get_bind().dialect.name != "postgresql":
            pytest.skip("an SQLite file has no server session to end")
        uow.begin_write()
        backend = uow.session.scalar(text("SELECT pg_backend_pid()"))
        enqueue_notice(uow.session, "cm-lost@example.vn")
        defer(uow.session, _MARK_SENT, {"recipients": ["cm-lost@example.vn"]})
        with new_uow() as admin:
            assert admin.session.scalar(text(f"SELECT pg_terminate_backend({backend})"))
        with pytest.raises(OperationalError):
            uow.commit()
    _write(new_uow, "cm-after-restart@example.vn")

    assert _recipients(new_uow) == ["cm-after-restart@example.vn"]


def test_writes_sent_ahead_are_seen_by_a_read_and_kept_with_the_commit(new_uow):
    with new_uow() as uow:
        uow.begin_write()
        enqueue_notice(uow.session, "cm-ahead@example.vn")
        send_ahead(uow.session)
        enqueue_notice(uow.session, "cm-behind@example.vn")
        seen = sorted(row[0] for row in read(uow.session, _RECIPIENTS, {}))
        enqueue_notice(uow.session, "cm-last@example.vn")
        send_ahead(uow.session)
        uow.commit()

    assert seen == ["cm-ahead@example.vn", "cm-behind@example.vn"]
    assert _recipients(new_uow) == [
        "cm-ahead@example.vn",
        "cm-behind@example.vn",
        "cm-last@example.vn",
    ]


def test_a_write_refused_after_it_was_sent_ahead_fails_the_commit_and_keeps_nothing(new_uow):
    with new_uow() as uow:
        uow.begin_write()
        enqueue_notice(uow.session, "cm-first@example.vn")
        enqueue_notice(uow.session, "cm-orphan@example.vn", dossier_id=_NO_SUCH_DOSSIER)
        send_ahead(uow.session)
        enqueue_notice(uow.session, "cm-later@example.vn")
        with pytest.raises(IntegrityError, match="(?i)foreign key"):
            uow.commit()
    assert _recipients(new_uow) == []


def test_a_command_that_fails_after_sending_ahead_keeps_nothing_and_the_next_is_served(new_uow):
    with pytest.raises(RuntimeError, match="the step broke"):
        with new_uow() as uow:
            uow.begin_write()
            enqueue_notice(uow.session, "cm-dropped@example.vn")
            send_ahead(uow.session)
            raise RuntimeError("the step broke")  # e.g. a script failing after the rows went
    _write(new_uow, "cm-served@example.vn")

    assert _recipients(new_uow) == ["cm-served@example.vn"]
