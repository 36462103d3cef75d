"""Fixtures: one database per run (SQLite file, or PostgreSQL from TEST_DATABASE_URL), migrated by
Alembic and seeded once (tests.support); each test then gets the seeded state back by deleting
what it added. The app fixtures serve tests/api, tests/pages and tests/browser; tests/engine
builds its units of work from the engine's own store instead (tests/engine/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy import select

from api import create_app
from api.database import EXTENSION_KEY
from engine.access.accounts import load_actor
from engine.access.actors import Actor
from engine.models import User
from engine.store.uow import UnitOfWork
from tests.support.database import drop_everything
from tests.support.database import pick_database_url
from tests.support.seeded import PROCESSES
from tests.support.seeded import Baseline
from tests.support.seeded import prepare
from tests.support.seeded import remember
from tests.support.seeded import restore
from tests.support.seeded import tuned_engine

DEMO_PASSWORD = "demo"


def make_app(url: str, **overrides: Any) -> Flask:
    return create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-secret", "TESTING": True, **overrides}
    )


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return pick_database_url(tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="session")
def baseline(database_url: str) -> Baseline:
    """Migrate and seed once; remember the highest id of each table and the current versions."""
    drop_everything(database_url)
    prepare(database_url)
    engine = tuned_engine(database_url)
    try:
        return remember(engine)
    finally:
        engine.dispose()


@pytest.fixture
def database(database_url: str, baseline: Baseline) -> Iterator[Engine]:
    """The test database in its seeded state, through an engine tuned as the app tunes its own:
    whatever a test builds on it (an app, the engine's units of work) starts from the seed."""
    engine = tuned_engine(database_url)
    restore(engine, baseline)
    yield engine
    engine.dispose()


@pytest.fixture
def app(database_url: str, database: Engine) -> Iterator[Flask]:
    """The app on the seeded database, with its own engine as when it serves."""
    app = make_app(database_url)
    yield app
    app.extensions[EXTENSION_KEY].kw["bind"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def login(client: FlaskClient) -> Callable[..., dict[str, str]]:
    """`login("hotich1")` -> headers carrying that demo user's bearer token."""

    def _login(username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
        response = client.post(
            "/api/v1/auth/login", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.json
        return {"Authorization": f"Bearer {response.json['token']}"}

    return _login


OFFICER_PASSWORD = "mat-khau-ban-dau"


@pytest.fixture
def new_officer(client: FlaskClient, login: Callable[..., dict[str, str]]) -> dict[str, Any]:
    """A new civil status officer of C01, Đỗ Thị Hằng (`canbo_moi`, OFFICER_PASSWORD), made
    through the API as an administrator makes one: tests that change an account change this
    one, never a demo user whose token other tests keep."""
    created = client.post(
        "/api/v1/users",
        json={
            "username": "canbo_moi",
            "password": OFFICER_PASSWORD,
            "full_name": "Đỗ Thị Hằng",
            "roles": [{"role": "civil_status", "unit": "C01"}],
        },
        headers=login("admin", "admin"),
    )
    assert created.status_code == 201, created.json
    return dict(created.json)


@pytest.fixture
def new_uow(app: Flask) -> Callable[[], UnitOfWork]:
    """Units of work on the app's own session factory (tests/engine overrides it)."""
    factory = app.extensions[EXTENSION_KEY]
    return lambda: UnitOfWork(factory)


@pytest.fixture
def actor(new_uow: Callable[[], UnitOfWork]) -> Callable[[str], Actor]:
    """`actor("hotich1")` -> that demo user as the engine sees them."""

    def _actor(username: str) -> Actor:
        with new_uow() as uow:
            user_id = uow.session.scalar(select(User.id).where(User.username == username))
            assert user_id is not None, username
            return load_actor(uow.session, user_id)

    return _actor


@pytest.fixture
def processes_dir() -> Path:
    return PROCESSES
