"""A round trip sent through libpq directly (engine.store.libpq_batch), on PostgreSQL. What the
people behind these rows would notice if it went wrong: a step refused after a read elsewhere rolled
back, rows read back in the wrong types, or a connection left unusable after a failure."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import ProgrammingError

from engine.models import Notification
from engine.store.write_behind import read
from tests.background import enqueue_notice

_NOTICE = select(Notification.recipient, Notification.created_at, Notification.dossier_id).where(
    Notification.recipient.like("lb-%")
)


@pytest.fixture(autouse=True)
def _postgresql_only(session_factory):
    if session_factory.kw["bind"].dialect.name != "postgresql":
        pytest.skip("libpq batches are how PostgreSQL round trips are sent")


def _recipients(new_uow) -> list[str]:
    with new_uow() as uow:
        return sorted(row[0] for row in read(uow.session, _NOTICE, {}))


def _write(new_uow, recipient: str) -> None:
    with new_uow() as uow:
        uow.begin_write()
        enqueue_notice(uow.session, recipient)
        uow.commit()


def test_batched_statements_keep_working_after_reads_that_roll_back(new_uow):
    # a read unit of work ends with ROLLBACK; psycopg answered one, once it had prepared a
    # statement it repeated, with DEALLOCATE ALL, which took the batches' statements too
    _write(new_uow, "lb-first@example.vn")
    with new_uow() as uow:
        for _ in range(8):
            uow.session.execute(select(Notification.id).where(Notification.recipient == "x"))
    _write(new_uow, "lb-second@example.vn")

    assert _recipients(new_uow) == ["lb-first@example.vn", "lb-second@example.vn"]


def test_rows_come_back_in_the_columns_types(new_uow):
    _write(new_uow, "lb-typed@example.vn")
    with new_uow() as uow:
        ((recipient, created_at, dossier_id),) = read(uow.session, _NOTICE, {})
    assert (recipient, dossier_id) == ("lb-typed@example.vn", None)
    assert isinstance(created_at, datetime) and created_at.tzinfo == UTC


def test_a_value_the_driver_cannot_send_leaves_nothing_behind(new_uow):
    with new_uow() as uow:
        uow.begin_write()
        enqueue_notice(uow.session, "lb-kept-out@example.vn")
        enqueue_notice(uow.session, "lb-bad@example.vn", body=object())  # no driver can send it
        with pytest.raises(ProgrammingError):
            uow.commit()
    _write(new_uow, "lb-after-failure@example.vn")

    assert _recipients(new_uow) == ["lb-after-failure@example.vn"]


def test_a_connection_lost_mid_command_fails_it_and_the_next_command_gets_a_new_one(new_uow):
    # the database restarts (or an administrator ends the session) between a command's read
    # and its commit: the commit fails, nothing is kept, and the pool hands out a fresh one
    with new_uow() as uow:
        uow.begin_write()
        backend = uow.session.scalar(text("SELECT pg_backend_pid()"))
        enqueue_notice(uow.session, "lb-lost@example.vn")
        with new_uow() as admin:
            assert admin.session.scalar(text(f"SELECT pg_terminate_backend({backend})"))
        with pytest.raises(OperationalError):
            uow.commit()
    _write(new_uow, "lb-after-restart@example.vn")

    assert _recipients(new_uow) == ["lb-after-restart@example.vn"]
