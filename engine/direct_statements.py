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


@dataclass(frozen=True)
class _Compiled:
    sql: str
    compiled: SQLCompiler
    processors: dict[str, Callable[[Any], Any]]
    positional: tuple[str, ...] | None
    """Parameter names in placeholder order for drivers with positional placeholders (SQLite)."""

    def driver_parameters(self, given: Mapping[str, Any] | None) -> Any:
        values = self.compiled.construct_params(given, escape_names=self.positional is None)
        for name, process in self.processors.items():
            values[name] = process(values[name])
        if self.positional is None:
            return values
        return tuple(values[name] for name in self.positional)


def execute(connection: Connection, statement: Executable, parameters: Parameters) -> None:
    """Run `statement` on the connection's driver cursor, reading nothing back. A statement this
    module cannot send as it is (an expanding IN list) goes through SQLAlchemy instead.
    Driver errors are raised as SQLAlchemy's (IntegrityError, ...), as an execute would."""
    many = isinstance(parameters, Sequence) and not isinstance(parameters, Mapping)
    rows = list(parameters) if many else [parameters or {}]
    prepared = _compiled(statement, connection.dialect, tuple(sorted(rows[0])) if rows else ())
    if prepared is None:
        connection.execute(statement, parameters)
        return
    cursor = connection.connection.cursor()
    dialect = connection.dialect
    try:
        if many:
            cursor.executemany(prepared.sql, [prepared.driver_parameters(row) for row in rows])
        else:
            cursor.execute(prepared.sql, prepared.driver_parameters(rows[0]))
    except dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(
            prepared.sql, parameters, error, dialect.loaded_dbapi.Error, dialect=dialect
        ) from error


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
    return _Compiled(compiled.string, compiled, processors, positional)
