"""Core statements sent straight to the driver's cursor: compiled once per dialect and set of
parameter names, their parameters converted by the columns' own bind processors.

Why: SQLAlchemy spends 150-250 µs of Python on each execution (execution context, events,
result set-up), more than psycopg itself needs to send a small UPDATE. Write-behind sends only
statements whose results nobody reads, which need none of that; everything else keeps going
through SQLAlchemy. The SQL is still SQLAlchemy's, compiled from the same Core statement, so
the schema stays in engine/models.

Two ways to send: `execute` on the driver's cursor, and `queue` into a libpq batch
(engine.store.libpq_batch, PostgreSQL), for which the statement is compiled with numbered
placeholders ($1) instead of psycopg's named ones.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from typing import cast

from sqlalchemy import Connection
from sqlalchemy import Executable
from sqlalchemy import Float
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.types import TypeEngine

from engine.store.libpq_batch import Batch

Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None
Fetch = Callable[[], list[tuple[Any, ...]]]
"""Reads the rows a statement returned; called once the driver has its results."""


@dataclass(frozen=True)
class _Compiled:
    sql: str
    compiled: SQLCompiler
    processors: Mapping[str, Callable[[Any], Any]]
    positional: tuple[str, ...] | None
    """Parameter names in placeholder order for drivers with positional placeholders (SQLite)."""
    results: tuple[Callable[[Any], Any] | None, ...]
    """The result processor of each returned column (None: the driver's value is final)."""

    def driver_parameters(self, given: Mapping[str, Any] | None) -> Any:
        values = self.compiled.construct_params(given, escape_names=self.positional is None)
        for name, process in self.processors.items():
            values[name] = process(values[name])
        if self.positional is None:
            return values
        return tuple(values[name] for name in self.positional)

    def processed(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(
            value if process is None else process(value)
            for value, process in zip(row, self.results, strict=True)
        )


def execute(
    connection: Connection, statement: Executable, parameters: Parameters, *, rows: bool = False
) -> Fetch | None:
    """Run `statement` on the connection's driver cursor. With `rows`, return what reads the
    rows it returns (a SELECT, an INSERT … RETURNING; for executemany, every row's): in a
    psycopg pipeline they arrive when it syncs, so call it after that. A statement this module
    cannot send as it is (an expanding IN list) goes through SQLAlchemy instead. Driver errors
    are raised as SQLAlchemy's (IntegrityError, ...), as an execute would."""
    many, given = _executions(parameters)
    prepared = _compiled(statement, connection.dialect, _keys(given))
    if prepared is None:
        result = connection.execute(statement, parameters)
        if not rows:
            return None
        fetched = [tuple(row) for row in result]
        return lambda: fetched
    dialect = connection.dialect
    cursor = _driver(connection).cursor() if rows else _shared_cursor(connection)
    try:
        if rows and many and dialect.driver != "psycopg":
            # sqlite3 refuses executemany for statements that return rows: one at a time
            fetched = []
            for row in given:
                cursor.execute(prepared.sql, prepared.driver_parameters(row))
                fetched.extend(prepared.processed(tuple(r)) for r in cursor.fetchall())
            return lambda: fetched
        if many:
            values = [prepared.driver_parameters(row) for row in given]
            cursor.executemany(prepared.sql, values, **({"returning": True} if rows else {}))
        else:
            cursor.execute(prepared.sql, prepared.driver_parameters(given[0]))
    except dialect.loaded_dbapi.Error as error:
        raise sqlalchemy_error(connection, error, prepared.sql, parameters) from error
    return (lambda: _all_results(cursor, prepared)) if rows else None


def sqlalchemy_error(
    connection: Connection, error: Exception, sql: str | None = None, parameters: Any = None
) -> DBAPIError:
    """The driver's `error` as SQLAlchemy would raise it (IntegrityError, ...). A lost connection
    is invalidated first, as SQLAlchemy does: the pool must not hand its driver connection out
    again, and the unit of work's rollback then has nothing to send."""
    dialect = connection.dialect
    if not connection.invalidated:
        driver = connection.connection.dbapi_connection
        if dialect.is_disconnect(error, driver, None):  # type: ignore[arg-type]
            connection.invalidate(error)
    return DBAPIError.instance(  # type: ignore[return-value]
        sql,
        parameters,
        error,
        dialect.loaded_dbapi.Error,
        connection_invalidated=connection.invalidated,
        dialect=dialect,
    )


def queueable(connection: Connection, statement: Executable, parameters: Parameters) -> bool:
    """Whether `queue` can send `statement` (not one with an expanding IN list)."""
    return _numbered(statement, connection.dialect, _keys(_executions(parameters)[1])) is not None


def queue(
    batch: Batch,
    connection: Connection,
    statement: Executable,
    parameters: Parameters,
    *,
    rows: bool = False,
) -> Fetch | None:
    """`execute` into a libpq batch: sent when the batch runs; with `rows`, what reads the
    returned rows after that. Check `queueable` first."""
    _many, given = _executions(parameters)
    prepared = _numbered(statement, connection.dialect, _keys(given))
    assert prepared is not None, "queue() of a statement queueable() refused"  # noqa: S101
    if not prepared.compiled.bind_names:
        slot = batch.add(prepared.sql, None, returns=rows)
    else:
        slot = batch.add(prepared.sql, [prepared.driver_parameters(v) for v in given], returns=rows)
    if slot is None:
        return None
    return lambda: [prepared.processed(row) for row in slot.rows]


def _executions(parameters: Parameters) -> tuple[bool, list[Mapping[str, Any]]]:
    """(executemany?, the parameters of each execution)."""
    many = isinstance(parameters, Sequence) and not isinstance(parameters, Mapping)
    return many, list(parameters) if many else [parameters or {}]  # type: ignore[arg-type,list-item]


def _keys(given: list[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(sorted(given[0])) if given else ()


_CURSOR = "mot_cua_direct_cursor"
"""Key in the connection's `info` (kept with the driver's connection in the pool): the cursor
that statements returning nothing share, instead of a new one each (a third of their cost)."""


def _driver(connection: Connection) -> Any:
    """The driver's connection (psycopg's, sqlite3's) under a connection in use."""
    return connection.connection.driver_connection


def _shared_cursor(connection: Connection) -> Any:
    driver = _driver(connection)
    cursor = connection.info.get(_CURSOR)
    if cursor is None or cursor.connection is not driver:
        cursor = connection.info[_CURSOR] = driver.cursor()
    return cursor


def read(connection: Connection, statement: Executable, parameters: Parameters) -> Fetch:
    """`execute` with its rows: what reads them."""
    return cast(Fetch, execute(connection, statement, parameters, rows=True))


def _all_results(cursor: Any, prepared: _Compiled) -> list[tuple[Any, ...]]:
    """Every returned row, across the result sets of an executemany (psycopg's nextset)."""
    fetched: list[tuple[Any, ...]] = []
    while True:  # not `cursor.description`: psycopg builds a Column object per column for it
        fetched.extend(prepared.processed(tuple(row)) for row in cursor.fetchall())
        if not getattr(cursor, "nextset", lambda: None)():
            return fetched


@lru_cache(maxsize=256)
def _compiled(statement: Executable, dialect: Dialect, keys: tuple[str, ...]) -> _Compiled | None:
    """Bounded: callers pass module-level statements, but one built per call must not pile up."""
    return _compile(statement, dialect, keys)


@lru_cache(maxsize=256)
def _numbered(statement: Executable, dialect: Dialect, keys: tuple[str, ...]) -> _Compiled | None:
    """`_compiled` with $1-style placeholders, for a libpq batch."""
    return _compile(statement, _numbering(dialect), keys)


@lru_cache(maxsize=4)
def _numbering(dialect: Dialect) -> Dialect:
    """The connection's dialect, initialised as it is, but compiling `$1` placeholders."""
    numbering = copy.copy(dialect)
    numbering.paramstyle = "numeric_dollar"
    numbering.positional = True
    return numbering


def _compile(statement: Executable, dialect: Dialect, keys: tuple[str, ...]) -> _Compiled | None:
    compiled = cast(ClauseElement, statement).compile(dialect=dialect, column_keys=list(keys))
    if not isinstance(compiled, SQLCompiler) or compiled.post_compile_params:
        return None
    escaped = compiled.escaped_bind_names
    processors = {}
    for bind, name in compiled.bind_names.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            processors[name if compiled.positiontup else escaped.get(name, name)] = process
    positional = tuple(compiled.positiontup) if compiled.positiontup else None
    results = tuple(
        _result_processor(entry.type, dialect)
        for entry in compiled._result_columns  # noqa: SLF001 - the returned columns' types
    )
    return _Compiled(compiled.string, compiled, processors, positional, results)


def _result_processor(type_: TypeEngine[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """A float comes back from every driver as a float; psycopg's numeric processor would ask
    the result's type code, which a statement compiled ahead of its cursor does not have."""
    impl = type_.dialect_impl(dialect)
    if isinstance(impl, Float) and not impl.asdecimal:
        return None
    return impl.result_processor(dialect, None)
