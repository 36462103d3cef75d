"""Sessions and units of work for routes, built from the factory create_app stores."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app
from sqlalchemy.orm import Session

from engine.store.uow import UnitOfWork

EXTENSION_KEY = "mot_cua_session_factory"


def new_uow() -> UnitOfWork:
    """A unit of work for one engine call; it commits only if the engine function does."""
    return UnitOfWork(current_app.extensions[EXTENSION_KEY])


@contextmanager
def read_session() -> Iterator[Session]:
    """A session for queries; it never commits."""
    with new_uow() as uow:
        yield uow.session
