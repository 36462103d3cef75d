"""Write-behind: statements whose results nobody reads (the step's row updates, event, outbox and
webhook rows), and on PostgreSQL the BEGIN itself, wait on the connection and go out with the
next statement that needs an answer, or with the COMMIT.

Why: on PostgreSQL every statement is a network round trip, and a round trip costs the server,
the worker and the kernel between them more than executing a small UPDATE. In libpq's pipeline
mode what waits and the statement that follows it travel together: BEGIN and a command's first
read are one round trip, its writes and the COMMIT another. The round trips this module sends
itself (`read`, `commit`) go through engine.store.libpq_batch; when what waits must ride with a
statement SQLAlchemy executes, psycopg's pipeline carries both. SQLite runs what waits one
statement after another, in the same order.

The order of SQL is never changed: every other statement on the connection (a read, an ORM
flush, a SAVEPOINT) goes after what waits. A savepoint rolled back drops what was deferred
inside it; a rollback drops everything. A failing deferred statement raises where it is sent
(at the next statement or the commit), and the transaction rolls back as before.

Two more things ride in those round trips:
- a deferred INSERT … RETURNING (`defer(..., on_rows=...)`): its callback gets the rows once
  they are back, so new task rows need no round trip of their own to learn their ids;
- a read that must follow the next statement (`read_with_next`): the open task rows of the
  dossier whose lock that statement takes travel with it.

And on PostgreSQL a round trip need not be waited for as one piece:
- `send_ahead` sends what waits at once, without a sync: a completion's row writes reach the
  server while the workflow state is serialized, and their answers are read with the commit;
- `commit(in_flight=True)` returns once the rows asked for are back, while the server still
  runs the last writes and the COMMIT; the API builds its response meanwhile and reads the
  COMMIT's answer (`finish_commit`) before the response goes out (engine.store.uow, api.database).
Until those answers are read the connection is in libpq's pipeline mode, so anything else
that uses it (a statement, a commit, a rollback) reads them first.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import Executable
from sqlalchemy import Insert
from sqlalchemy import Table
from sqlalchemy import Update
from sqlalchemy import bindparam
from sqlalchemy import event
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.store import direct_statements
from engine.store.libpq_batch import Batch

_WAITING = "mot_cua_write_behind"
"""Key in the connection's `info`: the (statement, parameters, rows callback) not yet sent."""
_OPEN_PIPELINE = "mot_cua_open_pipeline"
"""Key in the connection's `info`: the pipeline the statement being executed joined."""
_UNREAD = "mot_cua_unread_results"
"""Key in the connection's `info`: sent statements whose returned rows wait for the sync."""
_FOLLOWING = "mot_cua_following_reads"
"""Key in the connection's `info`: reads to send right after the next statement."""
_NAMES = "mot_cua_prepared_names"
"""Key in the connection's `info` (kept with the driver's connection): SQL -> the name it is
prepared under on the server (engine.store.libpq_batch)."""
_SENT = "mot_cua_sent"
"""Key in the connection's `info`: the `_Sent` batch whose answers are still to be read."""
_ROUND_TRIPS = os.environ.get("MOT_CUA_ROUND_TRIPS", "libpq")
"""Temporary A/B switch (issue 16, bench/RESULTS.md run 8): `libpq` as before, `libpq-wait` the
same without commits left in flight, `psycopg` every round trip in psycopg's own pipeline."""
_BEGIN = text("BEGIN")
_COMMIT = text("COMMIT")


RowsCallback = Callable[[list[tuple[Any, ...]]], None]


@dataclass
class _Sent:
    """A libpq batch sent without its answers read: ahead (`send_ahead`), or a commit left in
    flight (`commit`)."""

    batch: Batch
    unread: list[tuple[Any, RowsCallback]]
    """What reads the rows of its RETURNING statements, and the callback they go to."""
    committed: bool
    """Whether it holds the COMMIT (then nothing more may join it)."""


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
    _waiting(session.connection()).append((statement, parameters, on_rows))


@dataclass
class FollowingRead:
    """A read sent right after the next statement, in its round trip (see `read_with_next`)."""

    connection: Connection
    statement: Executable
    parameters: Any
    fetch: direct_statements.Fetch | None = field(default=None, repr=False)

    def rows(self) -> list[tuple[Any, ...]]:
        """The rows read; a read that found no statement to follow is run now, as `read` runs
        one: after what waits, so it sees what the command wrote."""
        if self.fetch is None:
            following = self.connection.info.get(_FOLLOWING, [])
            if self in following:
                following.remove(self)
            self.fetch = _in_one_round_trip(self.connection, self.statement, self.parameters)
        assert self.fetch is not None  # noqa: S101 - a statement was given
        return self.fetch()


def read_with_next(session: Session, statement: Executable, parameters: Any) -> FollowingRead:
    """Read `statement` right after the transaction's next statement, in the same round trip
    on PostgreSQL. Being later, it sees what that statement saw and locked: put a read that
    depends on a row lock after the locking read. Rows come raw from the driver, converted by
    the columns' result processors (a module-constant Core select of plain columns)."""
    connection = session.connection()
    read = FollowingRead(connection, statement, parameters)
    connection.info.setdefault(_FOLLOWING, []).append(read)
    return read


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


def commit(session: Session, *, in_flight: bool = False) -> bool:
    """Commit the session: the ORM's changes first (they may need answers, such as new ids), then
    what waits and the COMMIT, together in one round trip on PostgreSQL.

    With `in_flight`, on PostgreSQL, return as soon as the rows asked for are back (the new
    task rows' ids), while the server still works on the rest and the COMMIT: the caller
    builds its answer meanwhile, and must call `finish_commit` before it tells anyone the
    command is done. Returns whether the commit was left in flight."""
    session.flush()
    connection = session.connection()
    if connection.info.get(_WAITING) and _pipelines(connection):
        # what waits and the COMMIT in one pipeline, straight to the driver; the session's own
        # commit then finds no transaction open on the server and sends nothing
        _waiting(connection).append((_COMMIT, None, None))
        connection.info.pop(_FOLLOWING, None)  # as at any commit (_before_commit)
        if in_flight and _ROUND_TRIPS == "libpq" and _batches(connection, None, None):
            _send_commit(connection)
            return True
        _in_one_round_trip(connection)
    session.commit()
    return False


def finish_commit(session: Session) -> None:
    """Wait for a commit left in flight (`commit(in_flight=True)`); raise if it failed. What
    ran after it in the same unit of work is committed as at any commit."""
    _finish_sent(session.connection(), more=False)
    session.commit()


def _send_commit(connection: Connection) -> None:
    batch, unread = _queue_waiting(connection)
    try:
        batch.sync(early=True)
    except connection.dialect.loaded_dbapi.Error as error:
        raise _sqlalchemy_error(connection, error) from error
    except BaseException:
        if batch.broken:
            connection.invalidate()
        raise
    for fetch, on_rows in unread:
        on_rows(fetch())
    connection.info[_SENT] = _Sent(batch, [], committed=True)


def _without_results(statement: Executable) -> Executable:
    """An INSERT of one row would read its new id back (implicit RETURNING), which a pipeline
    cannot answer before it syncs: `inline()` asks for nothing back."""
    return _inline(statement) if isinstance(statement, Insert) else statement


@lru_cache(maxsize=64)
def _inline(statement: Insert) -> Insert:
    return statement.inline()


def _waiting(connection: Connection) -> list[tuple[Executable, Any, RowsCallback | None]]:
    waiting: list[tuple[Executable, Any, RowsCallback | None]] = connection.info.setdefault(
        _WAITING, []
    )
    return waiting


def _send(connection: Connection) -> None:
    """Send what waits; the rows of a RETURNING are handed over by `_hand_over_rows`."""
    for statement, parameters, on_rows in connection.info.pop(_WAITING, ()):
        fetch = direct_statements.execute(
            connection, statement, parameters, rows=on_rows is not None
        )
        if on_rows is not None and fetch is not None:
            connection.info.setdefault(_UNREAD, []).append((fetch, on_rows))


def _hand_over_rows(connection: Connection) -> None:
    """Results are in (the pipeline synced, or there was none): give RETURNING rows to their
    callbacks."""
    for fetch, on_rows in connection.info.pop(_UNREAD, ()):
        on_rows(fetch())


def read(session: Session, statement: Executable, parameters: Any) -> list[tuple[Any, ...]]:
    """Rows of `statement` read straight from the driver (see engine.store.direct_statements), in
    one round trip with what waits before it and the reads registered to follow it: what an
    execute would send, without SQLAlchemy's result machinery. For a hot read of plain columns
    built once at module level."""
    connection = session.connection()
    fetch = _in_one_round_trip(connection, statement, parameters)
    assert fetch is not None  # noqa: S101 - a statement was given
    return fetch()


def _in_one_round_trip(
    connection: Connection, statement: Executable | None = None, parameters: Any = None
) -> direct_statements.Fetch | None:
    """What waits, then `statement` (if any; what reads its rows is returned), then the reads
    registered to follow: one round trip on PostgreSQL, through a libpq batch. A statement the
    server refused raises as SQLAlchemy's error (IntegrityError, ...)."""
    dialect = connection.dialect
    try:
        if _batches(connection, statement, parameters):
            return _batched(connection, statement, parameters)
        _before_execute(connection)
        try:
            fetch = None
            if statement is not None:
                fetch = direct_statements.read(connection, statement, parameters)
        except BaseException as error:
            _leave_pipeline(connection, error)
            raise
        _after_cursor_execute(connection)
    except dialect.loaded_dbapi.Error as error:  # a lock wait or a statement that failed
        if not connection.invalidated:
            connection.info.pop(_UNREAD, None)
        raise _sqlalchemy_error(connection, error) from error
    return fetch


def _sqlalchemy_error(connection: Connection, error: Exception) -> DBAPIError:
    dialect = connection.dialect
    return DBAPIError.instance(
        None,
        None,
        error,
        dialect.loaded_dbapi.Error,
        connection_invalidated=connection.invalidated,
        dialect=dialect,
    )


def _finish_sent(connection: Connection, *, more: bool = True) -> None:
    """Read the answers of a batch sent earlier, if any: the pipeline must be over before
    anything else uses the connection. After a COMMIT in flight, the `more` statements to
    come start a new transaction on the server."""
    sent: _Sent | None = connection.info.pop(_SENT, None)
    if sent is None:
        return
    try:
        _run(connection, sent.batch, sent.unread)
    except connection.dialect.loaded_dbapi.Error as error:
        raise _sqlalchemy_error(connection, error) from error
    if sent.committed and more:
        _waiting(connection).insert(0, (_BEGIN, None, None))


def _run(connection: Connection, batch: Batch, unread: list[tuple[Any, RowsCallback]]) -> None:
    try:
        batch.run()
    except BaseException:
        if batch.broken:  # the driver's connection was closed: the pool must not hand it out
            connection.invalidate()
        raise
    for fetch, on_rows in unread:
        on_rows(fetch())


def _batches(connection: Connection, statement: Executable | None, parameters: Any) -> bool:
    """A libpq batch on psycopg, unless a psycopg pipeline is open or a statement of the round
    trip cannot be queued (see direct_statements.queueable)."""
    if _ROUND_TRIPS == "psycopg":
        return False
    if not _pipelines(connection) or connection.connection.driver_connection._pipeline:  # noqa: SLF001
        return False
    following = [(r.statement, r.parameters) for r in connection.info.get(_FOLLOWING, ())]
    waiting = [(s, p) for s, p, _ in connection.info.get(_WAITING, ())]
    given = [(statement, parameters)] if statement is not None else []
    return all(
        direct_statements.queueable(connection, s, p) for s, p in [*waiting, *given, *following]
    )


def send_ahead(session: Session) -> None:
    """Send what waits now, on PostgreSQL, without waiting for its answers: the server runs it
    while the command computes the rest of its writes, and the answers are read with the
    transaction's next round trip (an error, too, is raised there). Elsewhere a no-op."""
    connection = session.connection()
    if not connection.info.get(_WAITING) or not _batches(connection, None, None):
        return
    batch, unread = _queue_waiting(connection)
    try:
        batch.send()
    except BaseException:
        connection.invalidate()
        raise
    connection.info[_SENT] = _Sent(batch, unread, committed=False)


def _queue_waiting(connection: Connection) -> tuple[Batch, list[tuple[Any, RowsCallback]]]:
    """The batch sent ahead (or a new one) with what waits queued in it."""
    sent: _Sent | None = connection.info.get(_SENT)
    if sent is not None and not sent.committed:  # sent ahead: what waits joins it
        del connection.info[_SENT]
        batch, unread = sent.batch, sent.unread
    else:
        _finish_sent(connection)
        batch = Batch(
            connection.connection.driver_connection, connection.info.setdefault(_NAMES, {})
        )
        unread = []
    for waiting, values, on_rows in connection.info.pop(_WAITING, ()):
        fetch = direct_statements.queue(batch, connection, waiting, values, rows=bool(on_rows))
        if on_rows is not None and fetch is not None:
            unread.append((fetch, on_rows))
    return batch, unread


def _batched(
    connection: Connection, statement: Executable | None, parameters: Any
) -> direct_statements.Fetch | None:
    batch, unread = _queue_waiting(connection)
    sent = None
    if statement is not None:
        sent = direct_statements.queue(batch, connection, statement, parameters, rows=True)
    for read in connection.info.pop(_FOLLOWING, ()):
        read.fetch = direct_statements.queue(
            batch, connection, read.statement, read.parameters, rows=True
        )
    _run(connection, batch, unread)
    return sent


def _pipelines(connection: Connection) -> bool:
    """Only psycopg (PostgreSQL) has a pipeline mode; other drivers send what waits in turn."""
    return connection.dialect.driver == "psycopg"


def install(engine: Engine) -> None:
    """Keep the SQL order on every connection of `engine` (see the module docstring)."""
    if engine.dialect.driver == "psycopg":
        _install_deferred_begin(engine)
    event.listen(engine, "before_execute", _before_execute)
    event.listen(engine, "after_cursor_execute", _after_cursor_execute)
    event.listen(engine, "handle_error", _on_error)
    event.listen(engine, "rollback_savepoint", _drop_waiting)
    event.listen(engine, "rollback", _drop_waiting)
    event.listen(engine, "commit", _before_commit)


def _before_execute(connection: Connection, *_: Any) -> None:
    if _SENT in connection.info:
        _finish_sent(connection)
    if not connection.info.get(_WAITING) and not connection.info.get(_FOLLOWING):
        return
    driver = connection.connection.driver_connection
    if not _pipelines(connection) or getattr(driver, "_pipeline", None) is not None:
        _send(connection)
        _hand_over_rows(connection)
        return
    # what waits is queued; the statement about to run joins it, and _after_cursor_execute ends
    # the pipeline after that statement and the reads following it, which hands it its result
    pipeline = driver.pipeline()
    pipeline.__enter__()
    try:
        _send(connection)
    except BaseException as error:
        pipeline.__exit__(type(error), error, error.__traceback__)
        raise
    connection.info[_OPEN_PIPELINE] = pipeline


def _after_cursor_execute(connection: Connection, *_: Any) -> None:
    pipeline = connection.info.pop(_OPEN_PIPELINE, None)
    if pipeline is None:
        return
    try:  # reads waiting for this statement join its round trip
        for read in connection.info.pop(_FOLLOWING, ()):
            read.fetch = direct_statements.read(connection, read.statement, read.parameters)
    except BaseException as error:
        pipeline.__exit__(type(error), error, error.__traceback__)
        raise
    pipeline.__exit__(None, None, None)
    _hand_over_rows(connection)


def _on_error(context: ExceptionContext) -> None:
    """A statement failed inside a pipeline it joined: leave pipeline mode all the same."""
    if context.connection is not None:
        _leave_pipeline(context.connection, context.original_exception)


def _leave_pipeline(connection: Connection, error: BaseException) -> None:
    pipeline = connection.info.pop(_OPEN_PIPELINE, None)
    if pipeline is not None:
        connection.info.pop(_UNREAD, None)
        pipeline.__exit__(type(error), error, error.__traceback__)


def _drop_waiting(connection: Connection, *_: Any) -> None:
    """A rollback (to a savepoint) undoes what waits: it never reached the database."""
    if connection.invalidated:  # its driver connection, and what waited on it, are gone
        return
    sent: _Sent | None = connection.info.pop(_SENT, None)
    if sent is not None:  # the pipeline must be over before the ROLLBACK goes
        with contextlib.suppress(Exception):
            sent.batch.run()
    connection.info.pop(_WAITING, None)
    connection.info.pop(_UNREAD, None)
    connection.info.pop(_FOLLOWING, None)


def _before_commit(connection: Connection) -> None:
    """A commit outside `commit` (session.commit() called directly) still sends what waits.
    A following read nobody asked for ends with its transaction: it must not ride in the next
    one the pooled connection serves."""
    connection.info.pop(_FOLLOWING, None)
    _finish_sent(connection, more=False)
    if connection.info.get(_WAITING):
        _send(connection)
        _hand_over_rows(connection)


def _install_deferred_begin(engine: Engine) -> None:
    """psycopg sends BEGIN as a round trip of its own before a transaction's first statement;
    in autocommit mode it sends none, and BEGIN waits here to go with that statement instead.
    COMMIT and ROLLBACK stay psycopg's (it sends them whenever the server says a transaction is
    open), or go in the commit's pipeline (`commit`)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.autocommit = True
        # psycopg's own prepared statements die with every ROLLBACK, which every read unit of
        # work ends with: it answers one with DEALLOCATE ALL, which would take the libpq
        # batches' statements (engine.store.libpq_batch) with them. Those are the hot ones.
        dbapi_connection.prepare_threshold = None
        # Those statements find rows by key; PostgreSQL kept planning them anew at every
        # execution (a custom plan: the locking read's bind took as long as its execution).
        # Other statements are unnamed, planned for their values as before.
        dbapi_connection.execute("SET plan_cache_mode = force_generic_plan")

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        _waiting(connection).insert(0, (_BEGIN, None, None))
