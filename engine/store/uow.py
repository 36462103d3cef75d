"""Unit of work: one command = one transaction, rolled back unless committed."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import TracebackType
from typing import Any
from typing import TypeVar
from typing import TypeVarTuple

from sqlalchemy import Row
from sqlalchemy import Select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine.errors import Conflict
from engine.errors import NotFound
from engine.store import loaded_rows
from engine.store import write_behind
from engine.store.write_behind import FollowingRead

PendingRows = FollowingRead
"""Rows read with the transaction's next statement (`UnitOfWork.read_along`): `.rows()`."""
Model = TypeVar("Model")
Columns = TypeVarTuple("Columns")
columns_of = loaded_rows.columns
"""The columns to select for `UnitOfWork.as_object` (the ones the ORM loads at once)."""


class UnitOfWork:
    """Opens a session; `commit()` is explicit and answered before it returns (reading the
    COMMIT's answer while the API built its response did not pay: bench/RESULTS.md run 8);
    anything else is rolled back on exit."""

    def __init__(self, session_factory: sessionmaker[Any]) -> None:
        self._session_factory = session_factory
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.session.rollback()
        self.session.close()

    def begin_write(self) -> None:
        """Start a write transaction; on SQLite this takes the database write lock at once. In a
        write transaction already (a command calling another, e.g. publishing a draft), a no-op."""
        if self.session.in_transaction() and self.session.connection().get_execution_options().get(
            "write"
        ):
            return
        self.session.connection(execution_options={"write": True})

    def lock_one(
        self,
        statement: Select[*Columns],
        what: str,
        ident: int,
        params: Mapping[str, Any] | None = None,
    ) -> Row[*Columns]:
        """Run `statement` as `SELECT … FOR UPDATE` (PostgreSQL; SQLite is already locked) and
        return its single row, so every row it reads is the latest committed version.

        A hot path passes a module-level statement with bind parameters and their `params`: built
        once, SQLAlchemy then finds it compiled without rebuilding its cache key each time."""
        row = self.session.execute(_for_update(statement), params).one_or_none()
        if row is None:
            raise NotFound(f"{what} {ident} not found", what=what, id=ident)
        return row

    def lock_columns(
        self, statement: Select[Any], what: str, ident: int, params: Mapping[str, Any]
    ) -> tuple[Any, ...]:
        """`lock_one` for a module-level `for_update` statement of plain columns, read straight
        from the driver (engine.store.write_behind.read): the single row's values."""
        rows = write_behind.read(self.session, statement, params)
        if not rows:
            raise NotFound(f"{what} {ident} not found", what=what, id=ident)
        return rows[0]

    def read_along(self, statement: Select[Any], params: Mapping[str, Any]) -> PendingRows:
        """Read `statement` right after the transaction's next statement, in its round trip on
        PostgreSQL: a read the command needs soon but not before its next one. Being later, it
        sees what that statement saw and locked. A module-level Core select of plain columns."""
        return write_behind.read_with_next(self.session, statement, params)

    def rows(self, statement: Any, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The rows of a hot module-level statement (a select, an upsert … RETURNING), read
        straight from the driver together with the writes waiting before it."""
        return write_behind.read(self.session, statement, params)

    def as_object(self, model: type[Model], values: Any) -> Model:
        """The persistent `model` object for columns read with `columns_of(model)`, as if the
        ORM had loaded it."""
        return loaded_rows.attach(self.session, model, values)

    def defer(self, statement: Any, params: Mapping[str, Any]) -> None:
        """Run a module-level write with the transaction's next round trip (its COMMIT's, at
        the latest): a write nothing in the command reads back."""
        write_behind.defer(self.session, statement, params)

    def insert(self, model: type[Model], values: Mapping[str, Any]) -> Model:
        """INSERT one new `model` row with the writes waiting before it (one round trip) and
        return it persistent, its id known, as `session.add` and a flush would."""
        return loaded_rows.insert_row(self.session, model, values)

    def commit(self) -> None:
        try:
            write_behind.commit(self.session)
        except StaleDataError as exc:
            raise Conflict("the record was changed by someone else; reload and retry") from exc


def for_update(statement: Select[*Columns], **options: Any) -> Select[*Columns]:
    """`FOR NO KEY UPDATE` (PostgreSQL): as exclusive between commands as `FOR UPDATE`, but it
    lets other transactions insert rows that point at the locked one (an event, a notice) —
    with `FOR UPDATE`, a sweep holding a task and inserting an event for its dossier deadlocked
    with a command holding that dossier and cancelling the task. Every row lock is taken so: here,
    or with `key_share=True` where a sweep chains its own `with_for_update`."""
    return statement.with_for_update(key_share=True, **options)


@lru_cache(maxsize=64)
def _for_update(statement: Select[Any]) -> Select[Any]:
    return for_update(statement)
