"""The engine's tests stand on the engine alone: their units of work come from the engine's own
store (a session factory on the tuned engine of the `database` fixture), never from a Flask app.
The root conftest's `actor` builds on the `new_uow` given here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from engine.store.db import make_session_factory
from engine.store.uow import UnitOfWork


@pytest.fixture
def session_factory(database: Engine) -> sessionmaker[Any]:
    return make_session_factory(database)


@pytest.fixture
def new_uow(session_factory: sessionmaker[Any]) -> Callable[[], UnitOfWork]:
    return lambda: UnitOfWork(session_factory)
