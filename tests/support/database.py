"""Which database the tests use and how to empty it. SQLAlchemy only, so the benchmarks import it
at start-up without weighing on their memory figures."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import MetaData
from sqlalchemy import create_engine
from sqlalchemy import text


def pick_database_url(scratch: Path) -> str:
    """TEST_DATABASE_URL (PostgreSQL) when set, else a new SQLite file in `scratch`."""
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{scratch / 'test.db'}"


def drop_everything(url: str) -> None:
    """An empty database, so preparing it migrates from scratch (benchmarks and tests)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        meta = MetaData()
        meta.reflect(connection)
        if engine.dialect.name == "postgresql" and meta.tables:
            names = ", ".join(f'"{name}"' for name in meta.tables)
            connection.execute(text(f"DROP TABLE IF EXISTS {names} CASCADE"))
        else:
            meta.drop_all(connection)
    engine.dispose()
