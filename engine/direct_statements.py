"""Core statements sent straight to the driver's cursor: compiled once per dialect and set of
parameter names, their parameters converted by the columns' own bind processors.

Why: SQLAlchemy spends 150-250 µs of Python on each execution (execution context, events,
result set-up), more than psycopg itself needs to send a small UPDATE. Write-behind sends only
statements whose results nobody reads, which need none of that; everything else keeps going
through SQLAlchemy. The SQL is still SQLAlchemy's, compiled from the same Core statement, so
the schema stays in engine/models.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from typing import cast

from sqlalchemy import Connection
from sqlalchemy import Executable
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None
Fetch = Callable[[], list[tuple[Any, ...]]]
"""Reads the rows a statement returned; called once the driver has its results."""


@dataclass(frozen=True)
class _Compiled:
    sql: str
    compiled: SQLCompiler
    processors: dict[str, Callable[[Any], Any]]
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
    many = isinstance(parameters, Sequence) and not isinstance(parameters, Mapping)
    given = list(parameters) if many else [parameters or {}]
    prepared = _compiled(statement, connection.dialect, tuple(sorted(given[0])) if given else ())
    if prepared is None:
        result = connection.execute(statement, parameters)
        if not rows:
            return None
        fetched = [tuple(row) for row in result]
        return lambda: fetched
    dialect = connection.dialect
    driver = connection.connection.driver_connection
    cursor = driver.cursor() if rows else _shared_cursor(connection)
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
        raise DBAPIError.instance(
            prepared.sql, parameters, error, dialect.loaded_dbapi.Error, dialect=dialect
        ) from error
    return (lambda: _all_results(cursor, prepared)) if rows else None


_CURSOR = "mot_cua_direct_cursor"
"""Key in the connection's `info` (kept with the driver's connection in the pool): the cursor
that statements returning nothing share, instead of a new one each (a third of their cost)."""


def _shared_cursor(connection: Connection) -> Any:
    driver = connection.connection.driver_connection
    cursor = connection.info.get(_CURSOR)
    if cursor is None or cursor.connection is not driver:
        cursor = connection.info[_CURSOR] = driver.cursor()
    return cursor


def read(connection: Connection, statement: Executable, parameters: Parameters) -> Fetch:
    """`execute` with its rows: what reads them."""
    return cast(Fetch, execute(connection, statement, parameters, rows=True))


def _all_results(cursor: Any, prepared: _Compiled) -> list[tuple[Any, ...]]:
    """Every returned row, across the result sets of an executemany (psycopg's nextset)."""
    fetched = []
    while True:  # not `cursor.description`: psycopg builds a Column object per column for it
        fetched.extend(prepared.processed(tuple(row)) for row in cursor.fetchall())
        if not getattr(cursor, "nextset", lambda: None)():
            return fetched


@lru_cache(maxsize=256)
def _compiled(statement: Executable, dialect: Dialect, keys: tuple[str, ...]) -> _Compiled | None:
    """Bounded: callers pass module-level statements, but one built per call must not pile up."""
    return _compile(statement, dialect, keys)


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
        entry.type.dialect_impl(dialect).result_processor(dialect, None)
        for entry in compiled._result_columns  # noqa: SLF001 - the returned columns' types
    )
    return _Compiled(compiled.string, compiled, processors, positional, results)
