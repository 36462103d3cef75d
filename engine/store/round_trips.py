"""What waits on a connection, and the round trip it goes out with: the connection side of
engine.store.write_behind (which commands call), and the engine's event hooks that keep the SQL
order on every connection.

On PostgreSQL a round trip this module sends itself (a read, the commit) goes through a libpq
batch (engine.store.libpq_batch). Run 8 of bench/RESULTS.md sent them through psycopg's own
pipeline instead, by turns: a completed task cost 35 % more CPU (the worker's 15 %, the
PostgreSQL backends' twice as much, its statements parsed and planned at every execution), the
API step 40 % more time, and throughput fell by a quarter. When what waits must ride with a
statement SQLAlchemy executes, psycopg's pipeline carries both. SQLite runs what waits one
statement after another, in the same order.

Writes sent ahead (`send_ahead`) reach the server without a sync and are answered with the next
round trip; until then the connection is in libpq's pipeline mode, so anything else that uses it
(a statement, a commit, a rollback) reads those answers first.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import cast

from psycopg import Connection as Driver
from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import Executable
from sqlalchemy import event
from sqlalchemy import text
from sqlalchemy.engine import ExceptionContext

from engine.store import direct_statements
from engine.store.libpq_batch import Batch

WAITING = "mot_cua_write_behind"
"""Key in the connection's `info`: the (statement, parameters, rows callback) not yet sent."""
_OPEN_PIPELINE = "mot_cua_open_pipeline"
"""Key in the connection's `info`: the psycopg pipeline the statement being executed joined."""
_UNREAD = "mot_cua_unread_results"
"""Key in the connection's `info`: sent statements whose returned rows wait for the sync."""
_FOLLOWING = "mot_cua_following_reads"
"""Key in the connection's `info`: reads to send right after the next statement."""
_NAMES = "mot_cua_prepared_names"
"""Key in the connection's `info` (kept with the driver's connection): SQL -> the name it is
prepared under on the server (engine.store.libpq_batch)."""
_SENT = "mot_cua_sent"
"""Key in the connection's `info`: the `_Sent` batch whose answers are still to be read."""
_BEGIN = text("BEGIN")

RowsCallback = Callable[[list[tuple[Any, ...]]], None]
Waiting = list[tuple[Executable, Any, RowsCallback | None]]


@dataclass
class _Sent:
    """A libpq batch sent ahead (`send_ahead`) whose answers are still to be read."""

    batch: Batch
    unread: list[tuple[Any, RowsCallback]]
    """What reads the rows of its RETURNING statements, and the callback they go to."""


@dataclass
class FollowingRead:
    """A read sent right after the next statement, in its round trip (see
    engine.store.write_behind.read_with_next)."""

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
            self.fetch = in_one_round_trip(self.connection, self.statement, self.parameters)
        assert self.fetch is not None  # noqa: S101 - a statement was given
        return self.fetch()


def waiting(connection: Connection) -> Waiting:
    """What waits on the connection, in the order it will be sent."""
    found: Waiting = connection.info.setdefault(WAITING, [])
    return found


def follow(connection: Connection, read: FollowingRead) -> None:
    """Send `read` right after the connection's next statement."""
    connection.info.setdefault(_FOLLOWING, []).append(read)


def forget_following(connection: Connection) -> None:
    """A following read nobody asked for ends with its transaction: it must not ride in the next
    one the pooled connection serves."""
    connection.info.pop(_FOLLOWING, None)


def pipelines(connection: Connection) -> bool:
    """Only psycopg (PostgreSQL) has a pipeline mode; other drivers send what waits in turn."""
    return connection.dialect.driver == "psycopg"


def _psycopg(connection: Connection) -> Driver[Any]:
    """The driver's connection under a psycopg one (see `pipelines`)."""
    return cast("Driver[Any]", connection.connection.driver_connection)


def in_one_round_trip(
    connection: Connection, statement: Executable | None = None, parameters: Any = None
) -> direct_statements.Fetch | None:
    """What waits, then `statement` (if any; what reads its rows is returned), then the reads
    registered to follow: one round trip on PostgreSQL, through a libpq batch. A statement the
    server refused raises as SQLAlchemy's error (IntegrityError, ...)."""
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
    except connection.dialect.loaded_dbapi.Error as error:  # a lock wait, a refused statement
        if not connection.invalidated:
            connection.info.pop(_UNREAD, None)
        raise direct_statements.sqlalchemy_error(connection, error) from error
    return fetch


def send_ahead(connection: Connection) -> None:
    """Send what waits now through a libpq batch, without a sync (see engine.store.write_behind)."""
    if not connection.info.get(WAITING) or not _batches(connection, None, None):
        return
    batch, unread = _queue_waiting(connection)
    try:
        batch.send()
    except BaseException:
        connection.invalidate()
        raise
    connection.info[_SENT] = _Sent(batch, unread)


def _batches(connection: Connection, statement: Executable | None, parameters: Any) -> bool:
    """A libpq batch on psycopg, unless a psycopg pipeline is open or a statement of the round
    trip cannot be queued (see direct_statements.queueable)."""
    if not pipelines(connection) or _psycopg(connection)._pipeline:  # noqa: SLF001
        return False
    following = [(r.statement, r.parameters) for r in connection.info.get(_FOLLOWING, ())]
    waits = [(s, p) for s, p, _ in connection.info.get(WAITING, ())]
    given = [(statement, parameters)] if statement is not None else []
    return all(
        direct_statements.queueable(connection, s, p) for s, p in [*waits, *given, *following]
    )


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


def _queue_waiting(connection: Connection) -> tuple[Batch, list[tuple[Any, RowsCallback]]]:
    """The batch sent ahead (or a new one) with what waits queued in it."""
    sent: _Sent | None = connection.info.pop(_SENT, None)
    if sent is not None:  # sent ahead: what waits joins it
        batch, unread = sent.batch, sent.unread
    else:
        batch = Batch(_psycopg(connection), connection.info.setdefault(_NAMES, {}))
        unread = []
    for statement, values, on_rows in connection.info.pop(WAITING, ()):
        fetch = direct_statements.queue(batch, connection, statement, values, rows=bool(on_rows))
        if on_rows is not None and fetch is not None:
            unread.append((fetch, on_rows))
    return batch, unread


def _run(connection: Connection, batch: Batch, unread: list[tuple[Any, RowsCallback]]) -> None:
    try:
        batch.run()
    except BaseException:
        if batch.broken:  # the driver's connection was closed: the pool must not hand it out
            connection.invalidate()
        raise
    for fetch, on_rows in unread:
        on_rows(fetch())


def _finish_sent(connection: Connection) -> None:
    """Read the answers of a batch sent ahead, if any: the pipeline must be over before anything
    else uses the connection."""
    sent: _Sent | None = connection.info.pop(_SENT, None)
    if sent is None:
        return
    try:
        _run(connection, sent.batch, sent.unread)
    except connection.dialect.loaded_dbapi.Error as error:
        raise direct_statements.sqlalchemy_error(connection, error) from error


def _send(connection: Connection) -> None:
    """Send what waits on the driver's cursor; the rows of a RETURNING are handed over by
    `_hand_over_rows`."""
    for statement, parameters, on_rows in connection.info.pop(WAITING, ()):
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


def install(engine: Engine) -> None:
    """Keep the SQL order on every connection of `engine` (see engine.store.write_behind)."""
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
    if not connection.info.get(WAITING) and not connection.info.get(_FOLLOWING):
        return
    if not pipelines(connection) or _psycopg(connection)._pipeline is not None:  # noqa: SLF001
        _send(connection)
        _hand_over_rows(connection)
        return
    # what waits is queued; the statement about to run joins it, and _after_cursor_execute ends
    # the pipeline after that statement and the reads following it, which hands it its result
    pipeline = _psycopg(connection).pipeline()
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
    connection.info.pop(WAITING, None)
    connection.info.pop(_UNREAD, None)
    forget_following(connection)


def _before_commit(connection: Connection) -> None:
    """A commit outside engine.store.write_behind.commit (session.commit() called directly)
    still sends what waits."""
    forget_following(connection)
    _finish_sent(connection)
    if connection.info.get(WAITING):
        _send(connection)
        _hand_over_rows(connection)


def _install_deferred_begin(engine: Engine) -> None:
    """psycopg sends BEGIN as a round trip of its own before a transaction's first statement;
    in autocommit mode it sends none, and BEGIN waits here to go with that statement instead.
    COMMIT and ROLLBACK stay psycopg's (it sends them whenever the server says a transaction is
    open), or go in the commit's round trip (engine.store.write_behind.commit)."""

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
        waiting(connection).insert(0, (_BEGIN, None, None))
