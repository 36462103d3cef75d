"""ORM objects made from columns read straight from the driver, as if the ORM had loaded them.

Why: for the step's locking read, SQLAlchemy's ORM loading (row processors built per execution,
a result object, identity-map bookkeeping) costs more than the query itself. The hot path reads
the rows' columns with engine.write_behind.read and turns them into persistent objects here:
attribute history starts clean, the objects join the session under their identity, and a
change made later is flushed (or written by write_behind.defer_row_changes) as usual.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from typing import TypeVar

from sqlalchemy import Column
from sqlalchemy import inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm import make_transient_to_detached

Row = TypeVar("Row")


def columns(model: type[Any]) -> tuple[Column[Any], ...]:
    """Every column of `model`'s table, in the order `attach` expects their values."""
    return tuple(model.__table__.columns)


@lru_cache(maxsize=32)
def _attribute_keys(model: type[Any]) -> tuple[str, ...]:
    mapper = inspect(model)
    return tuple(mapper.get_property_by_column(column).key for column in columns(model))


def attach(session: Session, model: type[Row], values: Sequence[Any]) -> Row:
    """A persistent `model` object holding `values` (one per column of `columns(model)`), in
    `session`, which must not hold that row yet."""
    instance: Row = inspect(model).class_manager.new_instance()
    inspect(instance).dict.update(zip(_attribute_keys(model), values, strict=True))
    make_transient_to_detached(instance)
    session.add(instance)
    return instance
