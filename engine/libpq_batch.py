"""One round trip of statements on PostgreSQL, sent through libpq's pipeline mode directly
(psycopg's `pgconn`) instead of through psycopg's cursors.

Why: a step's two round trips carry nine statements. psycopg's own pipeline spends some 35 µs
of Python on each (a cursor, its query conversion, the prepare manager, result bookkeeping)
and keeps polling while it sends. Measured on this machine in one process, by turns: BEGIN, six
prepared UPDATEs and COMMIT cost 460-570 µs of CPU (730-840 µs until answered) through
psycopg's pipeline, and 230-255 µs (540-610 µs) here. Each statement is queued in libpq's
buffer and everything goes out with one flush: flushing after each statement, so that the
server could start sooner, cost more CPU and answered no sooner.

What stays psycopg's: the connection, the dumpers and loaders that turn values into text and
back (the ones its cursors use), and its error classes, chosen by SQLSTATE. A statement with
parameters is prepared once per connection, under a name of ours, in the batch that first
sends it. Errors are raised once the round trip is over, so the connection is always left
out of pipeline mode and ready for the rollback.
"""

from __future__ import annotations

import select
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from psycopg import Connection as Driver
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
    """Statements queued with `add`, sent by `run` in one round trip, in the order queued.

    `prepared` maps SQL to the name it is prepared under on this connection; keep it with the
    connection (it lives as long as the server session)."""

    def __init__(self, driver: Driver[Any], prepared: dict[bytes, bytes]) -> None:
        self._driver = driver
        self._prepared = prepared
        self._commands: list[_Command] = []

    @property
    def broken(self) -> bool:
        """Whether `run` failed so that it closed the connection (see `run`)."""
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

    def run(self) -> None:
        """Send what was queued and a sync, wait for every answer, fill the slots. The first
        statement the server refused is raised (psycopg's class for its SQLSTATE); the ones
        after it were skipped by the server. A value no dumper could send is raised once what
        was queued before it has been answered. Anything else (a lost connection, an
        interrupt) leaves the pipeline in an unknown state: the connection is closed."""
        pgconn = self._driver.pgconn
        transformer = Transformer(self._driver)
        answers_to: list[_Command | bytes] = []
        naming: dict[bytes, bytes] = {}
        unsendable = None
        pgconn.enter_pipeline_mode()
        try:
            try:
                self._send(pgconn, transformer, naming, answers_to)
            except errors.ProgrammingError as error:  # no dumper for a value
                unsendable = error
            pgconn.pipeline_sync()
            results = _answers(pgconn)
            pgconn.exit_pipeline_mode()
        except BaseException:
            self._driver.close()
            raise
        first_error = self._take(transformer, naming, zip(answers_to, results, strict=True))
        if unsendable is not None or first_error is not None:
            raise unsendable or first_error  # type: ignore[misc]

    def _take(
        self,
        transformer: Transformer,
        naming: dict[bytes, bytes],
        answered: Iterable[tuple[_Command | bytes, pq.abc.PGresult]],
    ) -> errors.Error | None:
        """Fill the slots and note the statements now prepared; returns the first error."""
        first_error = None
        for expected, result in answered:
            status = result.status
            if status == pq.ExecStatus.FATAL_ERROR and first_error is None:
                first_error = errors.error_from_result(result, encoding=self._driver.info.encoding)
            if status not in _SERVER_ANSWERED:
                continue
            if isinstance(expected, bytes):
                self._prepared[expected] = naming[expected]
            elif expected.slot is not None:
                transformer.set_pgresult(result)
                expected.slot.rows.extend(transformer.load_rows(0, result.ntuples, tuple))
        return first_error

    def _send(
        self,
        pgconn: pq.abc.PGconn,
        transformer: Transformer,
        naming: dict[bytes, bytes],
        answers_to: list[_Command | bytes],
    ) -> None:
        """Queue every command in libpq, noting per answer to expect its command or the SQL of
        a statement being prepared (`naming` gets the names given in this batch)."""
        for command in self._commands:
            if command.values is None:
                pgconn.send_query_params(command.sql, None)
                answers_to.append(command)
                continue
            name = self._prepared.get(command.sql) or naming.get(command.sql)
            if name is None:
                name = f"{_PREFIX}{len(self._prepared) + len(naming)}".encode()
                naming[command.sql] = name
                pgconn.send_prepare(name, command.sql)
                answers_to.append(command.sql)
            formats = [PyFormat.TEXT] * len(command.values)
            params = transformer.dump_sequence(command.values, formats)
            pgconn.send_query_prepared(name, params)
            answers_to.append(command)


def _answers(pgconn: pq.abc.PGconn) -> list[pq.abc.PGresult]:
    """Flush what was sent, then read one result per statement up to the sync. Sleeps in
    poll() whenever libpq has nothing complete to hand over."""
    poller = select.poll()
    poller.register(pgconn.socket, select.POLLIN | select.POLLOUT)
    while pgconn.flush():  # libpq's buffer outgrew the socket's: let the server read on
        for _fd, event in poller.poll():
            if event & select.POLLIN:
                pgconn.consume_input()
    poller.modify(pgconn.socket, select.POLLIN)
    answers: list[pq.abc.PGresult] = []
    while True:
        while pgconn.is_busy():
            poller.poll()
            pgconn.consume_input()
        result = pgconn.get_result()
        if result is None:  # the end of one statement's results
            continue
        if result.status == pq.ExecStatus.PIPELINE_SYNC:
            return answers
        answers.append(result)
