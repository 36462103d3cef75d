"""Unit of work: one command = one transaction, rolled back unless committed."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from functools import lru_cache
from types import TracebackType
from typing import Any

from sqlalchemy import Row
from sqlalchemy import Select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine.errors import Conflict
from engine.errors import NotFound
from engine.store import write_behind

FinishLater = Callable[[Callable[[], None]], None]
"""The type of `UnitOfWork`'s `finish_later`, ignored now (see there)."""


class UnitOfWork:
    """Opens a session; `commit()` is explicit and answered before it returns; anything else is
    rolled back on exit.

    `finish_later` is ignored, kept until its callers drop it (issue 16): it once let a commit's
    answer be read while the API built its response, which did not pay (bench/RESULTS.md run 8)."""

    def __init__(
        self, session_factory: sessionmaker[Any], *, finish_later: FinishLater | None = None
    ) -> None:
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
        """Start a write transaction; on SQLite this takes the database write lock at once."""
        self.session.connection(execution_options={"write": True})

    def lock_one(
        self,
        statement: Select[Any],
        what: str,
        ident: int,
        params: Mapping[str, Any] | None = None,
    ) -> Row[Any]:
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

    def commit(self) -> None:
        try:
            write_behind.commit(self.session)
        except StaleDataError as exc:
            raise Conflict("the record was changed by someone else; reload and retry") from exc


def for_update(statement: Select[Any], **options: Any) -> Select[Any]:
    """`FOR NO KEY UPDATE` (PostgreSQL): as exclusive between commands as `FOR UPDATE`, but it
    lets other transactions insert rows that point at the locked one (an event, a notice) —
    with `FOR UPDATE`, a sweep holding a task and inserting an event for its dossier deadlocked
    with a command holding that dossier and cancelling the task. Every row lock is taken so: here,
    or with `key_share=True` where a sweep chains its own `with_for_update`."""
    return statement.with_for_update(key_share=True, **options)


@lru_cache(maxsize=64)
def _for_update(statement: Select[Any]) -> Select[Any]:
    return for_update(statement)
