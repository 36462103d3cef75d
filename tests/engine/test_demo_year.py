"""`flask demo-year`'s engine side: a seeded year of dossiers played through the engine's commands
has the shape a leader's dashboard needs, is consistent row by row, is the same for the same
seed, and never mixes into real data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.demo.plan import DEFAULT_SHARE
from engine.demo.plan import procedure_shares
from engine.demo.year import play_year
from engine.dossiers.receive import Submission
from engine.dossiers.receive import submit
from engine.errors import Conflict
from engine.models import Dossier
from engine.models import Event
from engine.models import Incident
from engine.models import Procedure
from engine.models import SupplementRequest
from engine.models import Task
from engine.rules import calendar
from engine.rules.status import OPEN
from engine.rules.status import STATUSES
from engine.store.uow import UnitOfWork
from tests.support.seeded import Baseline
from tests.support.seeded import restore

UNTIL = datetime(2026, 7, 1, tzinfo=calendar.LOCAL_TZ).astimezone(UTC)
NewUow = Callable[[], UnitOfWork]


def _dossiers(new_uow: NewUow) -> list[Dossier]:
    with new_uow() as uow:
        rows = list(uow.session.scalars(select(Dossier).order_by(Dossier.id)))
        uow.session.expunge_all()
        return rows


def test_a_demo_year_has_the_shape_a_dashboard_shows(new_uow: NewUow) -> None:
    result = play_year(new_uow, dossiers=150, seed=7, until=UNTIL)
    dossiers = _dossiers(new_uow)
    assert len(dossiers) == result.dossiers == 150

    channels = Counter(d.channel for d in dossiers)
    assert set(channels) == {"in_person", "online", "postal"}
    assert channels["in_person"] > channels["online"] > channels["postal"]
    points = Counter(d.reception_point_kind for d in dossiers)
    assert points["counter"] > points["mobile"] > 0 and points["health_facility"] > 0
    statuses = Counter(d.status for d in dossiers)
    assert statuses["result_returned"] > 100
    assert statuses["refused"] > 0 and statuses["withdrawn"] > 0
    assert sum(statuses[s] for s in OPEN) > 0, "the last days' dossiers are still being worked"
    late = [d for d in dossiers if d.finished_at and d.finished_at > d.original_due_at]
    early = [
        d
        for d in dossiers
        if d.finished_at
        and calendar.to_local(d.finished_at).date() < calendar.to_local(d.original_due_at).date()
    ]
    assert 0 < len(late) < len(early)
    assert len({d.procedure_id for d in dossiers}) >= 8, "the shipped catalogue"

    for dossier in dossiers:
        day = calendar.to_local(dossier.received_at).date()
        assert calendar.is_working_day(day) and day.weekday() != 6, dossier.code
        assert UNTIL - timedelta(days=366) < dossier.received_at < UNTIL
    weekdays = Counter(calendar.to_local(d.received_at).weekday() for d in dossiers)
    assert weekdays[0] > weekdays[4], "Monday is the busiest day"

    with new_uow() as uow:
        session = uow.session
        answered = session.scalar(select(func.count()).where(SupplementRequest.state == "answered"))
        assert answered, "some dossiers were paused for a supplement and resumed"
        assert session.scalar(select(func.count()).where(Event.kind == "task_claimed"))
        _assert_rows_agree(session, dossiers)


def test_the_year_plays_every_kind_of_published_procedure(new_uow: NewUow) -> None:
    """Procedures without a hand-written filler are played from their forms: their reception
    data and every step's data pass the forms' checks, and their DMN fees are decided."""
    play_year(new_uow, dossiers=60, seed=3, until=UNTIL)
    dossiers = _dossiers(new_uow)
    with new_uow() as uow:
        codes = dict(uow.session.execute(select(Procedure.id, Procedure.code)).all())
        assert uow.session.scalar(select(func.count(Incident.id))) == 0, "no step failed"
        by_procedure = Counter(codes[d.procedure_id] for d in dossiers)
        new = set(by_procedure) - {"newborn_bundle", "social_allowance"}
        assert len(new) >= 5, by_procedure
        assert by_procedure["newborn_bundle"] > by_procedure["civil_status_correction"]
        finished = {codes[d.procedure_id] for d in dossiers if d.status == "result_returned"}
        assert len(finished - {"newborn_bundle", "social_allowance"}) >= 4, finished
        copies = [d for d in dossiers if codes[d.procedure_id] == "certify_copy"]
        assert copies and all(d.data["pages"] >= 1 and d.data["copies"] >= 1 for d in copies)
        assert all(d.fee_amount for d in copies), "the certification fee table decided a fee"
        _assert_rows_agree(uow.session, dossiers)


def test_a_designers_new_procedure_is_played_at_a_small_share() -> None:
    shares = procedure_shares(["certify_copy", "newborn_bundle", "well_permit"])
    assert shares["well_permit"] == DEFAULT_SHARE < shares["certify_copy"]
    assert shares["certify_copy"] < shares["newborn_bundle"]


def _assert_rows_agree(session: Session, dossiers: list[Dossier]) -> None:
    """Tasks, events and statuses tell the same story, as the write path keeps them."""
    tasks = list(session.scalars(select(Task)))
    events = list(session.scalars(select(Event)))
    completed_events = Counter(e.task_id for e in events if e.kind == "task_completed")
    created_events = Counter(e.task_id for e in events if e.kind == "task_created")
    for task in tasks:
        assert created_events[task.id] == 1, task.element_id
        if task.state == "completed":
            assert completed_events[task.id] == 1, task.element_id
            assert task.created_at <= task.completed_at
        else:
            assert completed_events[task.id] == 0
    open_tasks = Counter(t.dossier_id for t in tasks if t.state == "open")
    received = Counter(e.dossier_id for e in events if e.kind == "received")
    for dossier in dossiers:
        assert dossier.status in STATUSES
        assert received[dossier.id] == 1
        if STATUSES[dossier.status].final:
            assert dossier.finished_at is not None and open_tasks[dossier.id] == 0
        else:
            assert dossier.finished_at is None
        if dossier.status == "result_returned":
            assert dossier.returned_at is not None and dossier.delivery_method
        if dossier.status in {"received", "processing"}:
            assert open_tasks[dossier.id] > 0, dossier.code


def _fingerprint(new_uow: NewUow) -> list[tuple[object, ...]]:
    with new_uow() as uow:
        rows = uow.session.execute(
            select(Dossier.code, Dossier.status, Dossier.received_at, Dossier.finished_at).order_by(
                Dossier.id
            )
        ).all()
        events = uow.session.execute(
            select(Event.kind, Event.at, Event.element_id).order_by(Event.id)
        ).all()
    return [tuple(r) for r in rows] + [tuple(e) for e in events]


def test_the_same_seed_plays_the_same_year(
    new_uow: NewUow, database: Engine, baseline: Baseline
) -> None:
    play_year(new_uow, dossiers=25, seed=11, until=UNTIL)
    first = _fingerprint(new_uow)
    restore(database, baseline)
    play_year(new_uow, dossiers=25, seed=11, until=UNTIL)
    assert _fingerprint(new_uow) == first
    restore(database, baseline)
    play_year(new_uow, dossiers=25, seed=12, until=UNTIL)
    assert _fingerprint(new_uow) != first


def test_a_database_with_real_dossiers_is_refused_unless_forced(
    new_uow: NewUow, actor: Callable[[str], Actor]
) -> None:
    with new_uow() as uow:
        submit(
            uow,
            actor("tiepnhan1"),
            Submission(
                "social_allowance",
                {"full_name": "Lê Văn Thật", "id_number": "001099012345"},
                "in_person",
                {},
            ),
        )
    with pytest.raises(Conflict, match="did not write"):
        play_year(new_uow, dossiers=5, seed=1, until=UNTIL)
    assert len(_dossiers(new_uow)) == 1, "nothing was added"
    play_year(new_uow, dossiers=5, seed=1, until=UNTIL, force=True)
    assert len(_dossiers(new_uow)) == 6
