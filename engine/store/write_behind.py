"""Write-behind: statements whose results nobody reads (the step's row updates, event, outbox and
webhook rows), and on PostgreSQL the BEGIN itself, wait on the connection and go out with the
next statement that needs an answer, or with the COMMIT.

Why: on PostgreSQL every statement is a network round trip, and a round trip costs the server,
the worker and the kernel between them more than executing a small UPDATE. Sent together, what
waits and the statement that follows it travel as one: BEGIN and a command's first read are one
round trip, its writes and the COMMIT another (engine.store.round_trips sends them, through a
libpq batch or psycopg's pipeline). SQLite runs what waits one statement after another, in the
same order.

The order of SQL is never changed: every other statement on the connection (a read, an ORM
flush, a SAVEPOINT) goes after what waits. A savepoint rolled back drops what was deferred
inside it; a rollback drops everything. A failing deferred statement raises where it is sent
(at the next statement or the commit), and the transaction rolls back as before.

Three more things ride in those round trips:
- a deferred INSERT … RETURNING (`defer(..., on_rows=...)`): its callback gets the rows once
  they are back, so new task rows need no round trip of their own to learn their ids;
- a read that must follow the next statement (`read_with_next`): the open task rows of the
  dossier whose lock that statement takes travel with it;
- on PostgreSQL, writes sent ahead (`send_ahead`): a completion's row writes reach the server
  while the workflow state is serialized, and their answers are read with the commit.

The commit is answered before `commit` returns. (Run 8 of bench/RESULTS.md measured a COMMIT
left in flight while the API built its response: no gain, so it went.)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Executable
from sqlalchemy import Insert
from sqlalchemy import Table
from sqlalchemy import Update
from sqlalchemy import bindparam
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.store import round_trips
from engine.store.round_trips import FollowingRead
from engine.store.round_trips import RowsCallback

__all__ = [
    "FollowingRead",
    "RowsCallback",
    "commit",
    "defer",
    "defer_row_changes",
    "read",
    "read_with_next",
    "send_ahead",
]

_COMMIT = text("COMMIT")


def defer(
    session: Session,
    statement: Executable,
    parameters: Any = None,
    *,
    on_rows: RowsCallback | None = None,
) -> None:
    """Run `statement` with the transaction's next round trip. Pass a statement built once (a
    module constant), so its compiled form is reused. Without `on_rows` nothing is read back;
    with it, `statement` returns rows (INSERT … RETURNING) and `on_rows` gets them, all rows
    of an executemany together, once they are back: before the next statement's own result is
    used, or before `commit` returns."""
    if on_rows is None:
        statement = _without_results(statement)
    round_trips.waiting(session.connection()).append((statement, parameters, on_rows))


def read_with_next(session: Session, statement: Executable, parameters: Any) -> FollowingRead:
    """Read `statement` right after the transaction's next statement, in the same round trip
    on PostgreSQL. Being later, it sees what that statement saw and locked: put a read that
    depends on a row lock after the locking read. Rows come raw from the driver, converted by
    the columns' result processors (a module-constant Core select of plain columns)."""
    connection = session.connection()
    following = FollowingRead(connection, statement, parameters)
    round_trips.follow(connection, following)
    return following


def read(session: Session, statement: Executable, parameters: Any) -> list[tuple[Any, ...]]:
    """Rows of `statement` read straight from the driver (see engine.store.direct_statements), in
    one round trip with what waits before it and the reads registered to follow it: what an
    execute would send, without SQLAlchemy's result machinery. For a hot read of plain columns
    built once at module level."""
    fetch = round_trips.in_one_round_trip(session.connection(), statement, parameters)
    assert fetch is not None  # noqa: S101 - a statement was given
    return fetch()


def defer_row_changes(session: Session, row: Any) -> None:
    """Write what changed on a loaded ORM row, whose database row this transaction has locked,
    as one deferred UPDATE instead of the ORM's flush (which needs a round trip of its own to
    check the version counter). The lock makes that check moot: the counter is still raised,
    so an ORM flush of the row later in the transaction, or another unit of work, sees it."""
    state = inspect(row)
    mapper = state.mapper
    changed = set(mapper.column_attrs.keys()) - state.unmodified
    if not changed:
        return
    changes = {key: getattr(row, key) for key in changed}
    version = mapper.get_property_by_column(mapper.version_id_col).key
    changes[version] = getattr(row, version) + 1
    statement = _row_update(mapper.local_table, mapper.primary_key[0].key, tuple(sorted(changes)))
    defer(session, statement, {**changes, "row_id": state.identity[0]})
    for key, value in changes.items():
        set_committed_value(row, key, value)
    if not state.committed_state:  # nothing else pending: no flush needs to look at the row
        state._commit_all(state.dict, session.identity_map)  # noqa: SLF001 - as a flush does


@lru_cache(maxsize=64)
def _row_update(table: Table, key: str, columns: tuple[str, ...]) -> Update:
    return (
        update(table)
        .where(table.c[key] == bindparam("row_id"))
        .values({name: bindparam(name) for name in columns})
    )


def send_ahead(session: Session) -> None:
    """Send what waits now, on PostgreSQL, without waiting for its answers: the server runs it
    while the command computes the rest of its writes, and the answers are read with the
    transaction's next round trip (an error, too, is raised there). Elsewhere a no-op."""
    round_trips.send_ahead(session.connection())


def commit(session: Session) -> None:
    """Commit the session: the ORM's changes first (they may need answers, such as new ids), then
    what waits and the COMMIT, together in one round trip on PostgreSQL; return once answered."""
    session.flush()
    connection = session.connection()
    if connection.info.get(round_trips.WAITING) and round_trips.pipelines(connection):
        # what waits and the COMMIT in one round trip, straight to the driver; the session's
        # own commit then finds no transaction open on the server and sends nothing
        round_trips.waiting(connection).append((_COMMIT, None, None))
        round_trips.forget_following(connection)  # as at any commit
        round_trips.in_one_round_trip(connection)
    session.commit()


def _without_results(statement: Executable) -> Executable:
    """An INSERT of one row would read its new id back (implicit RETURNING), which a pipeline
    cannot answer before it syncs: `inline()` asks for nothing back."""
    return _inline(statement) if isinstance(statement, Insert) else statement


@lru_cache(maxsize=64)
def _inline(statement: Insert) -> Insert:
    return statement.inline()
