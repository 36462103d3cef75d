"""Soak and crash fixtures: a PostgreSQL database built from scratch once per run, and gunicorn
servers on it (`make soak`; CI runs them after the PostgreSQL leg, at SOAK_SECONDS=10).

Settings from the environment: SOAK_SECONDS (load time per test, default 10), SOAK_CLIENTS
(client threads, default 50), SOAK_DOSSIERS (dossiers worked at once, default 10: several clients
per dossier). Every table of TEST_DATABASE_URL is dropped first.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy import select
from sqlalchemy.engine import make_url

from engine.access.accounts import load_actor
from engine.catalogue.procedures import ProcedureMetadata
from engine.catalogue.procedures import publish
from engine.models import User
from engine.store.db import make_session_factory
from engine.store.uow import UnitOfWork
from tests.background import BPMN_DIR
from tests.soak.load import Crowd
from tests.support.database import drop_everything
from tests.support.live_server import Gunicorn
from tests.support.live_server import free_port
from tests.support.seeded import prepare
from tests.support.seeded import tuned_engine

HERE = Path(__file__).resolve().parent
SECRET = "soak-secret"  # noqa: S105 - the servers' shared signing key, so tokens outlive a restart
TIMER_PROCEDURE = "timer_soon"


@dataclass(frozen=True)
class Settings:
    seconds: float
    clients: int
    dossiers: int


@dataclass(frozen=True)
class SoakDatabase:
    url: str
    engine: Engine


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(
        seconds=float(os.environ.get("SOAK_SECONDS", 10)),
        clients=int(os.environ.get("SOAK_CLIENTS", 50)),
        dossiers=int(os.environ.get("SOAK_DOSSIERS", 10)),
    )


@pytest.fixture(scope="session")
def soak_database() -> Iterator[SoakDatabase]:
    """The app's migrations, demo data, shipped procedures and the 2-second timer procedure."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url or make_url(url).get_backend_name() != "postgresql":
        reason = (
            "the soak runs gunicorn on PostgreSQL: set TEST_DATABASE_URL=postgresql+psycopg://…"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    drop_everything(url)
    prepare(url)
    engine = tuned_engine(url)
    factory = make_session_factory(engine)
    _publish_timer_procedure(lambda: UnitOfWork(factory))
    yield SoakDatabase(url, engine)
    engine.dispose()


def _publish_timer_procedure(new_uow: Callable[[], UnitOfWork]) -> None:
    with new_uow() as uow:
        designer_id = uow.session.scalar(select(User.id).where(User.username == "thietke"))
        designer = load_actor(uow.session, designer_id)
    files = {
        "timer_soon.bpmn": (HERE / "timer_soon.bpmn").read_bytes(),
        "check_dossier.form.json": (BPMN_DIR / "check_dossier.form.json").read_bytes(),
    }
    meta = ProcedureMetadata(
        code=TIMER_PROCEDURE,
        name_vi="Thử nghiệm hẹn giờ 2 giây",
        name_en="Test: a timer due in 2 seconds",
        field="civil_status",
        time_limit=1,
        process_id=TIMER_PROCEDURE,
    )
    with new_uow() as uow:
        publish(uow, designer, meta, files)


ServerFactory = Callable[..., Gunicorn]


@pytest.fixture
def start_server(soak_database: SoakDatabase, tmp_path: Path) -> Iterator[ServerFactory]:
    """`start_server(scheduler=…, port=…)` starts gunicorn (2 workers) on the soak database and
    waits until it answers; every server started is stopped after the test."""
    started: list[Gunicorn] = []

    def _start(*, scheduler: bool, port: int | None = None) -> Gunicorn:
        env = {
            "DATABASE_URL": soak_database.url,
            "SECRET_KEY": SECRET,
            "SCHEDULER_ENABLED": "true" if scheduler else "false",
            "SWEEP_INTERVAL_SECONDS": "1",
            "DISPATCH_INTERVAL_SECONDS": "1",
            "ATTACHMENTS_DIR": str(tmp_path / "attachments"),
        }
        server = Gunicorn(port=port or free_port(), env=env, log=tmp_path / "gunicorn.log")
        started.append(server)
        server.start()
        return server

    yield _start
    for server in started:
        server.stop()


@pytest.fixture
def crowd(settings: Settings) -> Iterator[Callable[[int, dict[str, str]], Crowd]]:
    """`crowd(port, tokens)`: SOAK_CLIENTS clients on SOAK_DOSSIERS dossiers, started; any still
    running when the test ends (it failed half-way) are stopped."""
    crowds: list[Crowd] = []

    def _start(port: int, tokens: dict[str, str]) -> Crowd:
        crowds.append(Crowd(port, tokens, size=settings.clients, dossiers=settings.dossiers))
        crowds[-1].start()
        return crowds[-1]

    yield _start
    for started in crowds:
        started.stop()
