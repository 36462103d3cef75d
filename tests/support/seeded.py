"""A database as `flask prepare` leaves it (migrations, demo province and users, shipped
procedures), built from the engine alone, and that seeded state given back after each test.

Migrations run through plain Alembic (migrations/env.py also serves it), so preparing a database
needs no Flask app: the engine's tests and the soak tests stand on the engine alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from engine.catalogue.demo import seed
from engine.catalogue.folders import publish_catalogue
from engine.models import Procedure
from engine.models import User
from engine.store.db import Base
from engine.store.db import make_session_factory
from engine.store.db import tune_engine
from engine.store.uow import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "migrations"
PROCESSES = ROOT / "processes"


def tuned_engine(url: str) -> Engine:
    """An engine tuned as create_app tunes its own (write-behind; SQLite's WAL and row lock)."""
    return tune_engine(create_engine(url))


def migrate(url: str, revision: str = "heads") -> None:
    """`alembic upgrade` with our migrations, as `flask db upgrade` runs them."""
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, revision)


def prepare(url: str, processes: Path = PROCESSES) -> None:
    """What api.cli.prepare_database does, without the app: migrate, seed the demo province and
    users, publish every procedure folder under `processes`."""
    migrate(url)
    engine = tuned_engine(url)
    factory = make_session_factory(engine)

    def new_uow() -> UnitOfWork:
        return UnitOfWork(factory)

    try:
        with new_uow() as uow:
            admin = seed(uow)
        publish_catalogue(new_uow, admin, processes)
    finally:
        engine.dispose()


ACCOUNT_COLUMNS = (
    User.id,
    User.password_hash,
    User.full_name,
    User.is_active,
    User.tokens_revoked_at,
)
"""What a test may change on a seeded account (a reset password, a disabled account, an API
logout): set back before the next test, whose cached demo tokens depend on it."""

EMPTIED = ("dossier_counter", "workflow_state")
"""Tables keyed by something else than an id that the seed leaves empty: every row goes."""


@dataclass(frozen=True)
class Baseline:
    """The seeded state, as much of it as a test can change."""

    ids: dict[str, int]
    """The highest id of each table: rows above it are a test's."""
    versions: dict[int, tuple[int | None, str | None]]
    """Each procedure's current version and seed hash."""
    accounts: list[dict[str, Any]]
    """ACCOUNT_COLUMNS of every seeded user."""


def remember(engine: Engine) -> Baseline:
    with engine.connect() as connection:
        ids = {
            table.name: connection.scalar(select(func.max(table.c.id))) or 0
            for table in Base.metadata.sorted_tables
            if "id" in table.c
        }
        versions = {
            row.id: (row.current_version_id, row.seed_hash)
            for row in connection.execute(
                select(Procedure.id, Procedure.current_version_id, Procedure.seed_hash)
            )
        }
        accounts = [row._asdict() for row in connection.execute(select(*ACCOUNT_COLUMNS))]
    return Baseline(ids=ids, versions=versions, accounts=accounts)


def restore(engine: Engine, baseline: Baseline) -> None:
    """Delete what tests added, set back what they changed: the seeded state, in one transaction."""
    with engine.begin() as connection:
        connection.execute(
            update(Procedure).values(current_version_id=None).where(Procedure.id > 0)
        )
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in EMPTIED:
                connection.execute(table.delete())
            elif "id" in table.c:
                connection.execute(table.delete().where(table.c.id > baseline.ids[table.name]))
        for procedure_id, (version_id, seed_hash) in baseline.versions.items():
            connection.execute(
                update(Procedure)
                .where(Procedure.id == procedure_id)
                .values(current_version_id=version_id, seed_hash=seed_hash)
            )
        for account in baseline.accounts:
            connection.execute(update(User).where(User.id == account["id"]).values(**account))
