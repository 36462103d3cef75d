"""Write-behind (engine.store.write_behind): a command's writes that nobody reads back wait and
travel with its next statement or its COMMIT. What must hold for the people whose notices, events
and steps these rows are: a read sees them, a rollback (or a savepoint's) drops them, a refused row
fails the commit and keeps nothing; new rows learn their ids with the commit; a read riding with a
locking read sees what the lock's previous holder committed. What a completion and a receipt
cost in round trips through the API is in tests/api/test_round_trips.py."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from engine.models import Dossier
from engine.models import Notification
from engine.models import Task
from engine.store.db import utcnow
from engine.store.write_behind import defer
from engine.store.write_behind import read_with_next
from engine.work import tasks
from tests.background import enqueue_notice
from tests.background import open_steps
from tests.background import publish_fixture
from tests.background import receive


def _recipients(new_uow) -> list[str]:
    with new_uow() as uow:
        query = select(Notification.recipient).where(Notification.recipient.like("wb-%"))
        return sorted(uow.session.scalars(query))


def test_a_read_in_the_same_transaction_sees_a_deferred_notice(new_uow):
    with new_uow() as uow:
        uow.begin_write()
        enqueue_notice(uow.session, "wb-read@example.vn")
        seen = uow.session.scalars(
            select(Notification.recipient).where(Notification.recipient == "wb-read@example.vn")
        ).all()
        uow.commit()

    assert seen == ["wb-read@example.vn"]
    assert _recipients(new_uow) == ["wb-read@example.vn"]


def test_a_read_left_without_a_statement_to_follow_still_sees_what_waits(new_uow):
    # a read registered to ride with the next statement, asked for before any came, runs on
    # its own: after what the command deferred, never before it
    recipient = Notification.recipient
    with new_uow() as uow:
        uow.begin_write()
        enqueue_notice(uow.session, "wb-follow@example.vn")
        query = select(recipient).where(recipient == "wb-follow@example.vn")
        seen = read_with_next(uow.session, query, {}).rows()
        uow.commit()

    assert seen == [("wb-follow@example.vn",)]


def test_a_savepoint_rolled_back_drops_only_what_was_deferred_inside_it(new_uow):
    with new_uow() as uow:
        uow.begin_write()
        enqueue_notice(uow.session, "wb-before@example.vn")
        with pytest.raises(RuntimeError), uow.session.begin_nested():
            enqueue_notice(uow.session, "wb-inside@example.vn")
            raise RuntimeError("this instance failed")
        enqueue_notice(uow.session, "wb-after@example.vn")
        uow.commit()

    assert _recipients(new_uow) == ["wb-after@example.vn", "wb-before@example.vn"]


def test_a_rollback_drops_what_waits_and_the_next_command_does_not_send_it(new_uow):
    with new_uow() as uow:
        uow.begin_write()
        enqueue_notice(uow.session, "wb-dropped@example.vn")  # never committed: the uow rolls back
    with new_uow() as uow:
        uow.begin_write()
        enqueue_notice(uow.session, "wb-kept@example.vn")
        uow.commit()

    assert _recipients(new_uow) == ["wb-kept@example.vn"]


def test_a_refused_deferred_row_fails_the_commit_and_nothing_of_the_command_stays(new_uow):
    with new_uow() as uow:
        uow.begin_write()
        enqueue_notice(uow.session, "wb-good@example.vn")
        no_such_dossier = 2_000_000_000
        enqueue_notice(uow.session, "wb-orphan@example.vn", dossier_id=no_such_dossier)
        enqueue_notice(uow.session, "wb-after@example.vn")
        with pytest.raises(IntegrityError, match="(?i)foreign key"):
            uow.commit()
    assert _recipients(new_uow) == []

    with new_uow() as uow:  # the connection, back in the pool, serves the next command
        uow.begin_write()
        enqueue_notice(uow.session, "wb-next@example.vn")
        uow.commit()
    assert _recipients(new_uow) == ["wb-next@example.vn"]


_NEW_NOTICE = insert(Notification).returning(Notification.recipient, Notification.id)


def test_a_deferred_insert_learns_its_new_ids_with_the_commit(new_uow):
    values = {
        "kind": "received",
        "channel": "email",
        "subject": "Hồ sơ đã được tiếp nhận",
        "body": "Kính gửi Ông/Bà",
        "status": "pending",
        "attempts": 0,
        "created_at": utcnow(),
        "next_attempt_at": utcnow(),
    }
    handed: list[tuple] = []
    with new_uow() as uow:
        uow.begin_write()
        rows = [{**values, "recipient": f"wb-id{n}@example.vn"} for n in (1, 2)]
        defer(uow.session, _NEW_NOTICE, rows, on_rows=handed.extend)
        before_commit = list(handed)
        uow.commit()

    with new_uow() as uow:
        query = select(Notification.recipient, Notification.id).where(
            Notification.recipient.like("wb-id%")
        )
        stored = sorted(tuple(row) for row in uow.session.execute(query))
    assert before_commit == []  # nothing was sent yet
    assert sorted(handed) == stored
    assert [recipient for recipient, _ in stored] == ["wb-id1@example.vn", "wb-id2@example.vn"]


def test_a_step_that_ends_the_process_cancels_the_other_open_step(new_uow, actor):
    code = publish_fixture(new_uow, actor("thietke"), "parallel_terminate")
    dossier = receive(new_uow, actor("tiepnhan1"), code)
    first = next(t for t in dossier.tasks if t.element_id == "check_dossier")
    assert open_steps(new_uow, dossier.id) == ["check_again", "check_dossier"]

    with new_uow() as uow:
        opened = tasks.complete(uow, actor("tiepnhan1"), first.id, {"dossier_complete": "yes"})

    assert opened == []
    assert open_steps(new_uow, dossier.id) == []
    with new_uow() as uow:
        query = select(Task.element_id, Task.state).where(Task.dossier_id == dossier.id)
        states = sorted(tuple(row) for row in uow.session.execute(query))
    assert states == [("check_again", "cancelled"), ("check_dossier", "completed")]


def _wait_for_a_lock_wait(new_uow, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with new_uow() as uow:
            if uow.session.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")):
                return
        time.sleep(0.02)
    raise AssertionError("the completion never waited for the dossier's lock")


def test_a_step_that_waited_for_the_dossier_sees_the_task_the_holder_opened(
    session_factory, new_uow, actor
):
    """The open rows ride with the locking read, so they are read after the lock is granted:
    a row the previous holder committed meanwhile is seen (and, its step not being ready,
    cancelled) rather than left open in an inbox forever."""
    if session_factory.kw["bind"].dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time: nobody waits on a row lock")
    receptionist = actor("tiepnhan1")
    dossier = receive(new_uow, receptionist, "newborn_bundle")
    check = dossier.tasks[0]
    holder_locked = threading.Event()
    may_commit = threading.Event()

    def hold_the_dossier_and_open_a_stray_task() -> None:
        with new_uow() as uow:
            uow.begin_write()
            uow.lock_one(select(Dossier).where(Dossier.id == dossier.id), "dossier", dossier.id)
            row = uow.session.get_one(Task, check.id)
            stray = Task(
                dossier_id=dossier.id,
                spiff_task_id="wb-stray",
                element_id="stray_step",
                name="Bước lạc",
                role=row.role,
                unit_id=row.unit_id,
                state="open",
                created_at=utcnow(),
            )
            uow.session.add(stray)
            holder_locked.set()
            may_commit.wait(10)
            uow.commit()

    holder = threading.Thread(target=hold_the_dossier_and_open_a_stray_task)
    holder.start()
    assert holder_locked.wait(10)
    outcome: dict[str, object] = {}

    def complete_the_check() -> None:
        with new_uow() as uow:
            outcome["opened"] = tasks.complete(
                uow, receptionist, check.id, {"dossier_complete": "yes"}
            )

    completer = threading.Thread(target=complete_the_check)
    completer.start()
    _wait_for_a_lock_wait(new_uow)
    may_commit.set()
    holder.join(10)
    completer.join(10)

    assert [view.element_id for view in outcome["opened"]] == ["register_birth"]
    with new_uow() as uow:
        query = select(Task.state).where(Task.spiff_task_id == "wb-stray")
        assert uow.session.scalar(query) == "cancelled"
