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

Model = TypeVar("Model")


@lru_cache(maxsize=32)
def columns(model: type[Any]) -> tuple[Column[Any], ...]:
    """The columns of `model`'s table that the ORM loads at once (not the deferred ones), in the
    order `attach` expects their values."""
    mapper = inspect(model)
    return tuple(
        column
        for column in model.__table__.columns
        if not mapper.get_property_by_column(column).deferred
    )


@lru_cache(maxsize=32)
def _attribute_keys(model: type[Any]) -> tuple[str, ...]:
    mapper = inspect(model)
    return tuple(mapper.get_property_by_column(column).key for column in columns(model))


@lru_cache(maxsize=32)
def _key_positions(model: type[Any]) -> tuple[int, ...]:
    return tuple(columns(model).index(column) for column in inspect(model).primary_key)


def attach(session: Session, model: type[Model], values: Sequence[Any]) -> Model:
    """The persistent `model` object holding `values` (one per column of `columns(model)`) in
    `session`; the one the session already holds for that row, if any (as an ORM query would
    return it, unrefreshed). Deferred columns load when first used."""
    mapper = inspect(model)
    key = mapper.identity_key_from_primary_key([values[i] for i in _key_positions(model)])
    held = session.identity_map.get(key)
    if held is not None:
        return held  # type: ignore[no-any-return]
    instance: Model = mapper.class_manager.new_instance()
    inspect(instance).dict.update(zip(_attribute_keys(model), values, strict=True))
    make_transient_to_detached(instance)
    session.add(instance)
    return instance
