"""A leader's bottlenecks in the browser: the heat map drawn on the diagram with its legend, the
versions side by side, and a what-if run on a draft with a new step.

History: twelve social allowance dossiers on version 1 (verification waits 6 working hours for
1 hour of work; the decision approves ten of twelve), version 2 cuts the limit from 10 to 7
days and settles three dossiers faster; the draft renames the guidance step (a new step)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from engine.catalogue.drafts import publish_draft
from engine.catalogue.drafts import save_draft
from engine.dossiers.receive import Submission
from engine.dossiers.receive import submit
from engine.models import Dossier
from engine.models import Event
from engine.models import Task
from engine.rules.calendar import due_in_hours
from engine.work import tasks
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
ELIGIBLE = {"beneficiary_group": "elderly_80", "verified_in_population_db": True, "eligible": "yes"}
APPROVE = {"decision": "approve", "monthly_amount": 540000, "start_month": "2026-03"}
REFUSE = {"decision": "refuse", "refusal_reason": "Đang hưởng lương hưu hằng tháng"}
STEPS = [
    # element, who, data, working hours waited, working hours worked (version 1)
    ("verify_beneficiary", "ldxh1", ELIGIBLE, 6.0, 1.0),
    ("guide_online_submission", "tiepnhan1", {"submission_channel": "assisted"}, 1.0, 1.0),
    ("process_dossier", "ldxh1", APPROVE, 3.0, 2.0),
    ("return_result", "tiepnhan1", {"delivery_method": "in_person"}, 1.0, 0.5),
]


def _work_one(new_uow, actor, database, received: datetime, decision: dict, speed: float) -> None:
    """A dossier through every step, its moments moved to `received` plus the STEPS' hours
    (times `speed`)."""
    with new_uow() as uow:
        dossier = submit(
            uow,
            actor("tiepnhan1"),
            Submission(
                procedure_code="social_allowance",
                applicant={"full_name": "Lê Thị Hạnh", "id_number": "001234567811"},
                channel="in_person",
                data={},
            ),
        )
    task_id = dossier.tasks[0].id
    clock = 0.0
    moves = []
    for element, username, data, waited, worked in STEPS:
        if element == "process_dossier":
            data = decision
        if element == "return_result" and decision is REFUSE:
            break
        with new_uow() as uow:
            tasks.claim(uow, actor(username), task_id)
        with new_uow() as uow:
            following = tasks.complete(uow, actor(username), task_id, data)
        created = clock
        clock += (waited + worked) * speed
        moves.append((task_id, created, created + waited * speed, clock))
        task_id = following[0].id if following else 0
    with database.begin() as connection:
        for moved, created, taken, done in moves:
            connection.execute(
                update(Task)
                .where(Task.id == moved)
                .values(
                    created_at=due_in_hours(received, created),
                    completed_at=due_in_hours(received, done),
                )
            )
            connection.execute(
                update(Event)
                .where(Event.task_id == moved, Event.kind == "task_claimed")
                .values(at=due_in_hours(received, taken))
            )
        finished = {"finished_at": due_in_hours(received, clock)} if decision is APPROVE else {}
        connection.execute(
            update(Dossier).where(Dossier.id == dossier.id).values(received_at=received, **finished)
        )


def _folder() -> tuple[dict[str, str], dict[str, Any]]:
    folder = PROCESSES / "social_allowance"
    files = {p.name: p.read_text() for p in folder.iterdir() if p.name != "metadata.json"}
    return files, json.loads((folder / "metadata.json").read_text())


@pytest.fixture
def history(new_uow: Callable[[], Any], actor: Callable[[str], Any], database) -> None:
    start = due_in_hours(datetime.now(UTC) - timedelta(days=70), 0)
    for index in range(12):
        decision = REFUSE if index in (4, 9) else APPROVE
        _work_one(new_uow, actor, database, due_in_hours(start, 16 * index), decision, 1.0)
    files, metadata = _folder()
    designer = actor("thietke")
    with new_uow() as uow:
        saved = save_draft(
            uow, designer, "social_allowance", files, {**metadata, "time_limit": 7}, None
        )
    with new_uow() as uow:
        publish_draft(uow, designer, "social_allowance", "Rút ngắn thời hạn còn 7 ngày", saved.hash)
    for index in range(3):
        received = due_in_hours(start, 16 * (12 + index))
        _work_one(new_uow, actor, database, received, APPROVE, 0.5)
    renamed = files["social_allowance.bpmn"]
    for old, new in (
        ('id="guide_online_submission"', 'id="guide_online_new"'),
        ('Ref="guide_online_submission"', 'Ref="guide_online_new"'),
        (">guide_online_submission<", ">guide_online_new<"),
        ('bpmnElement="guide_online_submission"', 'bpmnElement="guide_online_new"'),
    ):
        renamed = renamed.replace(old, new)
    with new_uow() as uow:
        save_draft(
            uow,
            designer,
            "social_allowance",
            {**files, "social_allowance.bpmn": renamed},
            metadata,
            None,
        )


def test_a_leader_reads_the_heat_map_compares_versions_and_runs_a_what_if(history, as_user):
    leader = as_user("lanhdao1")
    leader.goto("/analytics/procedures/social_allowance?version=1")
    leader.wait_for_selector("#heatmap[data-ready=true]")
    badges = leader.locator(".heat-badge")
    assert badges.count() == 6  # every human step of the diagram (supplement too), measured or not
    verify = leader.locator(".heat-badge[data-element=verify_beneficiary]").inner_text()
    assert "6.0" in verify and "1.0" in verify and "n=12" in verify
    assert leader.locator(".djs-element.heat-4[data-element-id=verify_beneficiary]").count() == 1
    legend = leader.inner_text("[data-testid=heat-legend]")
    assert "5.6–7.0 h" in legend  # the top bucket ends at verification's median, 7 h
    hints = leader.inner_text("[data-testid=hints]")
    assert "Chờ lâu hơn làm" in hints and "Có thể làm song song" in hints
    screenshot(leader, "bottlenecks-heatmap")

    compare = leader.locator("#before-after")
    compare.scroll_into_view_if_needed()
    second = leader.inner_text("[data-testid=before-after] tr[data-version='2']")
    assert "-30.0%" in second and "Rút ngắn thời hạn" in second
    assert "-50.0%" in second  # settled in half the time
    screenshot(leader, "bottlenecks-before-after")

    leader.click("[data-testid=open-what-if]")
    leader.wait_for_selector("[data-testid=what-if-form]")
    row = leader.locator("tr[data-element=guide_online_new]")
    assert "bước mới" in row.inner_text()
    row.locator("input").fill("2")
    leader.fill("#f-runs", "5")
    leader.click("[data-testid=run-what-if]")
    leader.wait_for_selector("[data-testid=what-if-result]")
    for model in ("queue", "observed"):
        card = leader.locator(f"[data-model={model}]")
        assert "–" in card.locator("[data-testid=draft-hours]").inner_text()
        assert "%" in card.locator("[data-testid=median-off]").inner_text()
    # verification's six hours of waiting are not queueing for staff: the observed model,
    # which replays them, lands nearer what happened, and the page says so
    closest = leader.locator("[data-testid=closest]")
    assert closest.count() == 1
    assert leader.locator("[data-model=observed] [data-testid=closest]").count() == 1
    leader.locator("[data-testid=what-if-result]").scroll_into_view_if_needed()
    screenshot(leader, "bottlenecks-what-if")
