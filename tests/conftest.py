"""Fixtures: one database per run (SQLite file, or PostgreSQL from TEST_DATABASE_URL), migrated by
Alembic and seeded once; each test then gets the seeded state back by deleting what it added."""

from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from api import create_app
from api.cli import prepare_database
from api.database import EXTENSION_KEY
from bench.harness import drop_everything
from engine.access.accounts import load_actor
from engine.access.actors import Actor
from engine.models import Procedure
from engine.models import User
from engine.store.db import Base
from engine.store.uow import UnitOfWork

DEMO_PASSWORD = "demo"


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def make_app(url: str, **overrides: Any) -> Flask:
    return create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-secret", "TESTING": True, **overrides}
    )


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def baseline(database_url: str) -> dict[str, Any]:
    """Migrate and seed once; remember the highest id of each table and the current versions."""
    drop_everything(database_url)
    app = make_app(database_url)
    with app.app_context():
        prepare_database()
        engine = app.extensions[EXTENSION_KEY].kw["bind"]
        with engine.connect() as connection:
            ids = {
                table.name: connection.scalar(select(func.max(table.c.id))) or 0
                for table in Base.metadata.sorted_tables
                if "id" in table.c
            }
            versions = dict(
                connection.execute(select(Procedure.id, Procedure.current_version_id)).all()
            )
            accounts = [row._asdict() for row in connection.execute(select(*ACCOUNT_COLUMNS))]
        engine.dispose()
    return {"ids": ids, "versions": versions, "accounts": accounts}


ACCOUNT_COLUMNS = (
    User.id,
    User.password_hash,
    User.full_name,
    User.is_active,
    User.tokens_revoked_at,
)
"""What a test may change on a seeded account (a reset password, a disabled account, an API
logout): set back before the next test, whose cached demo tokens depend on it."""


def _restore(engine: Engine, baseline: dict[str, Any]) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(Procedure).values(current_version_id=None).where(Procedure.id > 0)
        )
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in ("dossier_counter", "workflow_state"):
                connection.execute(table.delete())
            elif "id" in table.c:
                connection.execute(table.delete().where(table.c.id > baseline["ids"][table.name]))
        for procedure_id, version_id in baseline["versions"].items():
            connection.execute(
                update(Procedure)
                .where(Procedure.id == procedure_id)
                .values(current_version_id=version_id)
            )
        for account in baseline["accounts"]:
            connection.execute(update(User).where(User.id == account["id"]).values(**account))


@pytest.fixture
def app(database_url: str, baseline: dict[str, Any]) -> Iterator[Flask]:
    app = make_app(database_url)
    engine = app.extensions[EXTENSION_KEY].kw["bind"]
    _restore(engine, baseline)
    yield app
    engine.dispose()


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
    return Path(__file__).resolve().parent.parent / "processes"
