"""ORM objects made from columns read straight from the driver, as if the ORM had loaded them
(or, for a new row, as if it had flushed it).

Why: for the step's locking read, SQLAlchemy's ORM loading (row processors built per execution,
a result object, identity-map bookkeeping) costs more than the query itself. The hot path reads
the rows' columns with engine.store.write_behind.read and turns them into persistent objects here:
attribute history starts clean, the objects join the session under their identity, and a
change made later is flushed (or written by write_behind.defer_row_changes) as usual.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import TypeVar

from sqlalchemy import Column
from sqlalchemy import Insert
from sqlalchemy import insert
from sqlalchemy import inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm import make_transient_to_detached

from engine.store import write_behind

Model = TypeVar("Model")


@dataclass(frozen=True)
class _Layout:
    """How a model's loaded columns line up: worked out once per model class."""

    columns: tuple[Column[Any], ...]
    attribute_keys: tuple[str, ...]
    key_positions: tuple[int, ...]
    inserting: Insert
    """INSERT … RETURNING the new row's key, built once (its compiled form is reused)."""


_LAYOUTS: dict[type[Any], _Layout] = {}


def _layout(model: type[Any]) -> _Layout:
    layout = _LAYOUTS.get(model)
    if layout is None:
        mapper = inspect(model)
        loaded = tuple(
            column
            for column in model.__table__.columns
            if not mapper.get_property_by_column(column).deferred
        )
        layout = _LAYOUTS[model] = _Layout(
            columns=loaded,
            attribute_keys=tuple(mapper.get_property_by_column(c).key for c in loaded),
            key_positions=tuple(loaded.index(column) for column in mapper.primary_key),
            inserting=insert(model.__table__).returning(*mapper.primary_key),
        )
    return layout


def columns(model: type[Any]) -> tuple[Column[Any], ...]:
    """The columns of `model`'s table that the ORM loads at once (not the deferred ones), in the
    order `attach` expects their values."""
    return _layout(model).columns


def _attribute_keys(model: type[Any]) -> tuple[str, ...]:
    return _layout(model).attribute_keys


def _key_positions(model: type[Any]) -> tuple[int, ...]:
    return _layout(model).key_positions


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


def insert_row(session: Session, model: type[Model], values: Mapping[str, Any]) -> Model:
    """INSERT a new `model` row straight through the driver (with what waits on the connection,
    in one round trip) and return it as a persistent object, as `session.add` and a flush would:
    every column not given gets its scalar or callable default, or NULL; the new id comes back
    from RETURNING. For a hot path's single new row whose id the rest of the command needs."""
    mapper = inspect(model)
    (key,) = mapper.primary_key
    unknown = set(values) - set(_attribute_keys(model))
    if unknown:
        raise TypeError(f"{model.__name__} has no column {sorted(unknown)}")
    row = {
        column.key: _value(column, values, attribute)
        for column, attribute in zip(columns(model), _attribute_keys(model), strict=True)
        if column is not key
    }
    ((new_id,),) = write_behind.read(session, _inserting(model), row)
    return attach(session, model, [new_id if c is key else row[c.key] for c in columns(model)])


def _value(column: Column[Any], values: Mapping[str, Any], attribute: str) -> Any:
    if attribute in values:
        return values[attribute]
    default = column.default
    if default is None:
        return None
    if getattr(default, "is_callable", False):
        return default.arg(None)  # type: ignore[attr-defined]
    return default.arg  # type: ignore[attr-defined]


def _inserting(model: type[Any]) -> Insert:
    return _layout(model).inserting
