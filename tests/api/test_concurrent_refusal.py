"""A dossier refused while someone works one of its tasks: the command that comes second waits its
turn or gets a 409, never a 500. Found by the soak (tests/soak/): on PostgreSQL a task command
locked the task row before the dossier row while a refusal holds the dossier and then cancels the
tasks, so the two deadlocked."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text

from engine.models import Dossier
from engine.models import Event
from engine.store.db import utcnow
from tests.api.journeys import APPLICANT

NEWBORN = {"procedure_code": "newborn_bundle", "channel": "in_person", "applicant": APPLICANT}
ROUNDS = 8
"""Each round delays the task command a little more, to land it inside the refusal's transaction."""
RIVALS = {
    "claim": None,
    "complete": {"data": {"dossier_complete": "yes"}},
}


@pytest.mark.committed
@pytest.mark.parametrize("rival", sorted(RIVALS))
def test_refusing_a_dossier_while_its_task_is_worked_answers_200_or_409(app, client, login, rival):
    headers = login("admin", "admin")
    answers = []
    for delay in range(ROUNDS):
        dossier = client.post("/api/v1/dossiers", json=NEWBORN, headers=headers).json
        task_id = dossier["tasks"][0]["id"]
        barrier = Barrier(2)

        def refuse(dossier_id: int = dossier["id"], barrier: Barrier = barrier) -> int:
            own_client = app.test_client()
            barrier.wait()
            reason = {"reason": "Thiếu giấy khai sinh bản chính"}
            url = f"/api/v1/dossiers/{dossier_id}/refuse"
            return own_client.post(url, json=reason, headers=headers).status_code

        def work(task_id: int = task_id, barrier: Barrier = barrier, delay: int = delay) -> int:
            own_client = app.test_client()
            barrier.wait()
            time.sleep(delay * 0.005)
            url = f"/api/v1/tasks/{task_id}/{rival}"
            return own_client.post(url, json=RIVALS[rival], headers=headers).status_code

        with ThreadPoolExecutor(2) as pool:
            refused, worked = pool.submit(refuse), pool.submit(work)
            answers.append((refused.result(), worked.result()))

    assert {refused for refused, _ in answers} == {200}, answers
    assert {worked for _, worked in answers} <= {200, 409}, answers


@pytest.mark.committed
def test_a_dossier_held_by_a_command_still_takes_events_from_a_sweep(
    database_url, client, login, new_uow
):
    """A sweep (escalation, due-soon warning) locks task rows, then inserts events that point at
    their dossier. A command holding that dossier must not block those inserts: with a plain
    `FOR UPDATE` the foreign-key check waited for it, while the command waited for the sweep's
    task row — a deadlock, one side's user got a 500 (seen in the soak)."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite has no row locks: one writer at a time")
    dossier = client.post("/api/v1/dossiers", json=NEWBORN, headers=login("tiepnhan1")).json
    with new_uow() as command, new_uow() as sweep:
        command.begin_write()
        command.lock_one(select(Dossier).where(Dossier.id == dossier["id"]), "dossier", 0)
        sweep.session.execute(text("SET LOCAL lock_timeout = '2s'"))  # a wait fails the test
        sweep.session.execute(
            insert(Event).values(dossier_id=dossier["id"], kind="task_escalated", at=utcnow())
        )
        sweep.commit()
