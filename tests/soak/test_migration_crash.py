"""kill -9 of a worker in the middle of a bulk version move: every dossier is either moved (on
the new version, one `migrated` event, its item marked moved) or untouched (old version, no
event, item pending), never half; the job, taken up again by the next worker, finishes and
moves each remaining dossier exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from sqlalchemy import func
from sqlalchemy import select

from engine.access.accounts import load_actor
from engine.bpmn.rebind import missing_specs
from engine.catalogue.procedures import ProcedureMetadata
from engine.catalogue.procedures import publish
from engine.models import Dossier
from engine.models import Event
from engine.models import MigrationItem
from engine.models import MigrationJob
from engine.models import ProcedureVersion
from engine.models import User
from engine.models import WorkflowState
from engine.store.db import make_session_factory
from engine.store.uow import UnitOfWork
from engine.work import migrations
from engine.work.versions import compiled_version
from tests.background import receive
from tests.soak.conftest import SECRET
from tests.support.live_server import ROOT
from tests.support.move_diagrams import Step
from tests.support.move_diagrams import chain

pytestmark = pytest.mark.soak

CODE = "move_crash"
DOSSIERS = int(os.environ.get("SOAK_MOVE_DOSSIERS", 400))


def test_kill_9_during_a_bulk_move_leaves_each_dossier_moved_or_untouched(soak_database):
    factory = make_session_factory(soak_database.engine)

    def new_uow() -> UnitOfWork:
        return UnitOfWork(factory)

    designer, receptionist = (_actor(new_uow, name) for name in ("thietke", "tiepnhan1"))
    _publish(new_uow, designer, [Step("check"), Step("verify"), Step("sign")])
    dossier_ids = [receive(new_uow, receptionist, CODE).id for _ in range(DOSSIERS)]
    _publish(new_uow, designer, [Step("check"), Step("sign")])
    with new_uow() as uow:
        job_id = migrations.start(uow, designer, CODE, to=2)

    worker = subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "flask", "--app", "wsgi", "migrations"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": soak_database.url, "SECRET_KEY": SECRET},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_until_moved(new_uow, job_id, DOSSIERS // 4)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

    halfway = _check_each_dossier(new_uow, job_id, dossier_ids)
    assert 0 < halfway["moved"] < DOSSIERS, halfway
    with new_uow() as uow:
        assert uow.session.get_one(MigrationJob, job_id).state == "running"
    migrations.run_due(new_uow)

    finished = _check_each_dossier(new_uow, job_id, dossier_ids)
    assert finished == {"moved": DOSSIERS}, finished
    with new_uow() as uow:
        assert uow.session.get_one(MigrationJob, job_id).state == "done"


def _actor(new_uow, username):
    with new_uow() as uow:
        return load_actor(
            uow.session, uow.session.scalar(select(User.id).where(User.username == username))
        )


def _publish(new_uow, designer, steps):
    meta = ProcedureMetadata(
        code=CODE,
        name_vi="Thử chuyển khi sập",
        name_en="Move crash test",
        field="civil_status",
        time_limit=5,
        process_id=CODE,
    )
    with new_uow() as uow:
        publish(uow, designer, meta, chain(CODE, steps))


def _wait_until_moved(new_uow, job_id, count, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with new_uow() as uow:
            moved = uow.session.scalar(
                select(func.count()).where(
                    MigrationItem.job_id == job_id, MigrationItem.state == "moved"
                )
            )
        if moved >= count:
            return
        time.sleep(0.05)
    pytest.fail(f"the worker moved fewer than {count} dossiers in {timeout} s")


def _check_each_dossier(new_uow, job_id, dossier_ids) -> dict[str, int]:
    """Each dossier consistent with its item; the tally of item states."""
    with new_uow() as uow:
        session = uow.session
        items = dict(
            session.execute(
                select(MigrationItem.dossier_id, MigrationItem.state).where(
                    MigrationItem.job_id == job_id
                )
            ).all()
        )
        events = Counter(
            session.scalars(
                select(Event.dossier_id).where(
                    Event.kind == "migrated", Event.dossier_id.in_(dossier_ids)
                )
            )
        )
        rows = session.execute(
            select(Dossier.id, ProcedureVersion, WorkflowState.state)
            .join(ProcedureVersion, ProcedureVersion.id == Dossier.procedure_version_id)
            .join(WorkflowState, WorkflowState.dossier_id == Dossier.id)
            .where(Dossier.id.in_(dossier_ids))
        ).all()
        for dossier_id, version, state in rows:
            expected = (2, 1) if items[dossier_id] == "moved" else (1, 0)
            assert (version.number, events[dossier_id]) == expected, (dossier_id, items[dossier_id])
            assert missing_specs(state, compiled_version(session, version)) == []
    return dict(Counter(items.values()))
