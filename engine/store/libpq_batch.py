"""One round trip of statements on PostgreSQL, sent through libpq's pipeline mode directly
(psycopg's `pgconn`) instead of through psycopg's cursors.

Why: a step's two round trips carry nine statements. Sent through psycopg's pipeline instead, a
completed task cost 35 % more CPU, worker and PostgreSQL together, and the API step 40 % more
time (bench/RESULTS.md run 8, by turns). psycopg's pipeline spends some 35 µs of Python on
each statement (a cursor, its query conversion, the prepare manager, result bookkeeping) and
keeps polling while it sends; its statements go unprepared (its own prepared statements die
with every ROLLBACK, see engine.store.round_trips), so the server plans each one anew.
Measured on this machine in one process, by turns: BEGIN, six prepared UPDATEs and COMMIT cost
460-570 µs of CPU (730-840 µs until answered) through psycopg's pipeline, and 230-255 µs
(540-610 µs) here. Each statement is queued in libpq's buffer and everything goes out with one
flush: flushing after each statement, so that the server could start sooner, cost more CPU and
answered no sooner.

What stays psycopg's: the connection, the dumpers and loaders that turn values into text and
back (the ones its cursors use), and its error classes, chosen by SQLSTATE. A statement with
parameters is prepared once per connection, under a name of ours, in the batch that first
sends it. Errors are raised once the round trip is over, so the connection is always left
out of pipeline mode and ready for the rollback.
"""

from __future__ import annotations

import select
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import cast

from psycopg import Connection as Driver
from psycopg import abc
from psycopg import errors
from psycopg import pq
from psycopg.adapt import PyFormat
from psycopg.adapt import Transformer

_PREFIX = "mot_cua_"
"""Names of our prepared statements; psycopg's own are `_pg3_…`."""
_SERVER_ANSWERED = {pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK}


@dataclass
class Slot:
    """The rows a queued statement returned (across all its executions), once the batch ran."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass(frozen=True)
class _Command:
    sql: bytes
    values: tuple[Any, ...] | None
    """None: sent as it is, without parameters (BEGIN, COMMIT)."""
    slot: Slot | None


class Batch:
    """Statements queued with `add`, sent in the order queued: `run` sends them and waits for
    every answer, in one round trip. A command can split that: `send` lets the server start on
    what is queued so far while the command computes the rest.

    `prepared` maps SQL to the name it is prepared under on this connection; keep it with the
    connection (it lives as long as the server session)."""

    def __init__(self, driver: Driver[Any], prepared: dict[bytes, bytes]) -> None:
        self._driver = driver
        self._prepared = prepared
        self._commands: list[_Command] = []
        self._sent = 0
        self._transformer: abc.Transformer | None = None
        self._expected: list[_Command | bytes] = []
        """Per answer to come: its command, or the SQL of a statement being prepared."""
        self._answered = 0
        self._naming: dict[bytes, bytes] = {}
        self._unsendable: errors.ProgrammingError | None = None
        self._first_error: errors.Error | None = None
        self._synced = False

    @property
    def broken(self) -> bool:
        """Whether the batch failed so that it closed the connection (see `run`)."""
        return bool(self._driver.closed)

    def add(
        self, sql: str, executions: Sequence[Sequence[Any]] | None, *, returns: bool = False
    ) -> Slot | None:
        """Queue `sql` ($1-style placeholders, each one cast or typed by its context) once per
        tuple of values in `executions`, or once without parameters when it is None. With
        `returns`, the returned rows are collected in the slot given back."""
        slot = Slot() if returns else None
        encoded = sql.encode()
        if executions is None:
            self._commands.append(_Command(encoded, None, slot))
        else:
            self._commands.extend(_Command(encoded, tuple(v), slot) for v in executions)
        return slot

    def send(self) -> None:
        """Send what was queued so far, without a sync: the server starts on it now."""
        try:
            self._send_new()
            _flush(self._driver.pgconn)
        except BaseException:
            self._driver.close()
            raise

    def run(self) -> None:
        """Send what is left and a sync, read every answer, fill the slots, leave pipeline
        mode. The first statement the server refused is raised
        (psycopg's class for its SQLSTATE); the ones after it were skipped by the server. A
        value no dumper could send is raised once what was queued before it has been
        answered. Anything else (a lost connection, an interrupt) leaves the pipeline in an
        unknown state: the connection is closed."""
        if self._transformer is None and self._synced:  # run already
            return
        pgconn = self._driver.pgconn
        try:
            if not self._synced:
                self._send_new()
                pgconn.pipeline_sync()
                self._synced = True
                _flush(pgconn)
            while self._answered < len(self._expected):
                self._take(_next_answer(pgconn))
            if _next_answer(pgconn).status != pq.ExecStatus.PIPELINE_SYNC:
                raise errors.InternalError("a pipeline answered more than it was sent")
            pgconn.exit_pipeline_mode()
        except BaseException:
            self._driver.close()
            raise
        self._transformer = None
        if self._unsendable is not None or self._first_error is not None:
            raise self._unsendable or self._first_error  # type: ignore[misc]

    def _send_new(self) -> None:
        """Queue in libpq the commands not sent yet (entering pipeline mode at the first)."""
        pgconn = self._driver.pgconn
        if self._transformer is None:
            self._transformer = Transformer(self._driver)
            pgconn.enter_pipeline_mode()
        commands, self._sent = self._commands[self._sent :], len(self._commands)
        if self._unsendable is not None:
            return
        try:
            for command in commands:
                self._send_one(pgconn, command)
        except errors.ProgrammingError as error:  # no dumper for a value
            self._unsendable = error

    def _send_one(self, pgconn: pq.abc.PGconn, command: _Command) -> None:
        if command.values is None:
            pgconn.send_query_params(command.sql, None)
            self._expected.append(command)
            return
        name = self._prepared.get(command.sql) or self._naming.get(command.sql)
        if name is None:
            name = f"{_PREFIX}{len(self._prepared) + len(self._naming)}".encode()
            self._naming[command.sql] = name
            pgconn.send_prepare(name, command.sql)
            self._expected.append(command.sql)
        formats = [PyFormat.TEXT] * len(command.values)
        params = self._transformer.dump_sequence(command.values, formats)  # type: ignore[union-attr]
        pgconn.send_query_prepared(name, params)
        self._expected.append(command)

    def _take(self, result: pq.abc.PGresult) -> None:
        """One answer: fill its slot, note a statement now prepared, keep the first error."""
        expected = self._expected[self._answered]
        self._answered += 1
        status = result.status
        if status == pq.ExecStatus.FATAL_ERROR and self._first_error is None:
            encoding = self._driver.info.encoding
            self._first_error = errors.error_from_result(result, encoding=encoding)
        if status not in _SERVER_ANSWERED:
            return
        if isinstance(expected, bytes):
            self._prepared[expected] = self._naming[expected]
        elif expected.slot is not None:
            transformer = cast(abc.Transformer, self._transformer)
            transformer.set_pgresult(result)
            expected.slot.rows.extend(transformer.load_rows(0, result.ntuples, tuple))


def _flush(pgconn: pq.abc.PGconn) -> None:
    """Send what libpq holds; while the socket is full, let the server's answers in."""
    if not pgconn.flush():
        return
    poller = select.poll()
    poller.register(pgconn.socket, select.POLLIN | select.POLLOUT)
    while pgconn.flush():
        for _fd, event in poller.poll():
            if event & select.POLLIN:
                pgconn.consume_input()


def _next_answer(pgconn: pq.abc.PGconn) -> pq.abc.PGresult:
    """The next statement's result (or the sync's), sleeping in poll() until libpq has one."""
    poller = None
    while True:
        while pgconn.is_busy():
            if poller is None:
                poller = select.poll()
                poller.register(pgconn.socket, select.POLLIN)
            poller.poll()
            pgconn.consume_input()
        result = pgconn.get_result()
        if result is not None:  # None ends one statement's results
            return result
