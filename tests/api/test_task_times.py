"""The moment a task is first taken is kept on its row (migration 0019): a claim or a leader's
reassignment sets it, later hand-overs do not move it, a corrected event moves it; the heat map
reads it, counting only office hours."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy import update

from engine.models import Dossier
from engine.models import Event
from engine.models import Task

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ELIGIBLE = {"beneficiary_group": "elderly_80", "verified_in_population_db": True, "eligible": "yes"}


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def taken_at(database, task_id: int) -> datetime | None:
    with database.connect() as connection:
        return connection.scalar(select(Task.taken_at).where(Task.id == task_id))


def event_at(database, task_id: int, kind: str) -> datetime:
    with database.connect() as connection:
        return connection.scalar(
            select(Event.at).where(Event.task_id == task_id, Event.kind == kind)
        )


def test_the_first_claim_or_reassignment_is_the_moment_a_task_was_taken(desk, database):
    claimed = desk.task_id(desk.receive("social_allowance")["id"], "verify_beneficiary")
    handed = desk.task_id(desk.receive("social_allowance")["id"], "verify_beneficiary")
    assert taken_at(database, claimed) is None
    assert desk.post(f"/api/v1/tasks/{claimed}/claim", by="ldxh1").status_code == 200
    first = event_at(database, claimed, "task_claimed")
    assert taken_at(database, claimed) == first
    # handed on by the leader afterwards: it was taken at the claim all the same
    moved = desk.post(f"/api/v1/tasks/{claimed}/reassign", {"assignee": "admin"}, by="lanhdao1")
    assert moved.status_code == 200, moved.json
    assert taken_at(database, claimed) == first
    # never claimed, given to someone by the leader: taken at the reassignment
    given = desk.post(f"/api/v1/tasks/{handed}/reassign", {"assignee": "ldxh1"}, by="lanhdao1")
    assert given.status_code == 200, given.json
    assert taken_at(database, handed) == event_at(database, handed, "task_reassigned")
    assert desk.complete(handed, ELIGIBLE, by="ldxh1").status_code == 200
    assert taken_at(database, handed) == event_at(database, handed, "task_reassigned")


def test_a_task_waiting_over_a_weekend_counts_office_hours_only(desk, database):
    """Created Friday 15:00, claimed Monday 08:30, completed Monday 09:30: waiting 2 h on Friday
    and 1 h on Monday, working 1 h. The claim's moment is corrected on the event; the task row
    follows it."""
    dossier_id = desk.receive("social_allowance")["id"]
    task_id = desk.task_id(dossier_id, "verify_beneficiary")
    assert desk.post(f"/api/v1/tasks/{task_id}/claim", by="ldxh1").status_code == 200
    assert desk.complete(task_id, ELIGIBLE, by="ldxh1").status_code == 200
    with database.begin() as connection:
        connection.execute(
            update(Task)
            .where(Task.id == task_id)
            .values(created_at=local("2026-03-13 15:00"), completed_at=local("2026-03-16 09:30"))
        )
        connection.execute(
            update(Event)
            .where(Event.task_id == task_id, Event.kind == "task_claimed")
            .values(at=local("2026-03-16 08:30"))
        )
        connection.execute(
            update(Dossier)
            .where(Dossier.id == dossier_id)
            .values(received_at=local("2026-03-13 15:00"))
        )
    assert taken_at(database, task_id) == local("2026-03-16 08:30")
    body = desk.get(
        "/api/v1/procedures/social_allowance/heatmap",
        by="lanhdao1",
        **{"from": "2026-03-13", "to": "2026-03-13"},
    ).json
    [verify] = [step for step in body["steps"] if step["element_id"] == "verify_beneficiary"]
    assert verify["count"] == 1
    assert verify["waiting"] == {"median": 3.0, "p90": 3.0}
    assert verify["working"] == {"median": 1.0, "p90": 1.0}
    assert verify["total"] == {"median": 4.0, "p90": 4.0}
