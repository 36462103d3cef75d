"""Bottlenecks (issue 19): heat map, before/after, hints and what-if, against figures worked out
by hand. Dossiers are received and worked through the API; then the test moves the moments the
write path stamped (receipt, task created, claimed, completed, finished) to chosen ones, since
the commands take the clock's time: the figures are then computed by hand in working hours."""

from __future__ import annotations

import json
import math
import random
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from engine.models import Dossier
from engine.models import Event
from engine.models import Task
from engine.rules.calendar import due_in_hours

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PROCESSES = Path(__file__).resolve().parents[2] / "processes"
API = "/api/v1/procedures"
ELIGIBLE = {"beneficiary_group": "elderly_80", "verified_in_population_db": True, "eligible": "yes"}
APPROVE = {"decision": "approve", "monthly_amount": 540000, "start_month": "2026-03"}
REFUSE = {"decision": "refuse", "refusal_reason": "Đang hưởng lương hưu hằng tháng"}
GUIDE = {"submission_channel": "assisted"}
RESULT = {"delivery_method": "in_person"}


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def claim(desk, task_id: int, by: str) -> None:
    response = desk.post(f"/api/v1/tasks/{task_id}/claim", by=by)
    assert response.status_code == 200, response.json


def do_step(desk, dossier_id: int, element_id: str, data: dict[str, Any], by: str) -> int:
    """Claim and complete the dossier's open `element_id` task; its id."""
    task_id = desk.task_id(dossier_id, element_id)
    claim(desk, task_id, by)
    response = desk.complete(task_id, data, by=by)
    assert response.status_code == 200, response.json
    return task_id


def set_task(database, task_id: int, created: datetime, taken: datetime | None, done: datetime):
    with database.begin() as connection:
        connection.execute(
            update(Task).where(Task.id == task_id).values(created_at=created, completed_at=done)
        )
        if taken is not None:
            connection.execute(
                update(Event)
                .where(Event.task_id == task_id, Event.kind == "task_claimed")
                .values(at=taken)
            )


def set_dossier(database, dossier_id: int, received: datetime, finished: datetime | None = None):
    values: dict[str, Any] = {"received_at": received}
    if finished is not None:
        values["finished_at"] = finished
    with database.begin() as connection:
        connection.execute(update(Dossier).where(Dossier.id == dossier_id).values(**values))


def figures(body: dict[str, Any], element_id: str) -> dict[str, Any]:
    [found] = [step for step in body["steps"] if step["element_id"] == element_id]
    return found


# --- heat map ---------------------------------------------------------------------------------

VERIFY_TIMES = [
    # created, claimed, completed (local); waiting / working in working hours, by hand
    # Fri 16:00 -> Tue 08:30 over Sat, Hùng Kings' Sunday and its Monday off: 1 h + 1 h; 1 h work
    ("2026-04-24 16:00", "2026-04-28 08:30", "2026-04-28 09:30"),
    # Fri 16:00 -> Mon 10:30: 1 h + 3 h; 10:30 -> 14:00 over lunch (11:30-13:00): 2 h
    ("2026-03-06 16:00", "2026-03-09 10:30", "2026-03-09 14:00"),
    # Tue 07:30 -> 08:00: 0.5 h; 08:00 -> 12:00 ends in the lunch break: 3.5 h
    ("2026-03-10 07:30", "2026-03-10 08:00", "2026-03-10 12:00"),
]


@pytest.fixture
def verified(desk, database) -> list[int]:
    """Three social allowance dossiers whose verification took the VERIFY_TIMES, and a fourth
    received after the period the tests ask for; their ids."""
    ids = []
    for created, taken, done in [*VERIFY_TIMES, ("2026-05-05 08:00", "2026-05-05 09:00", None)]:
        dossier_id = desk.receive("social_allowance")["id"]
        task_id = do_step(desk, dossier_id, "verify_beneficiary", ELIGIBLE, "ldxh1")
        finished = local(done) if done else local(taken) + timedelta(hours=40)
        set_task(database, task_id, local(created), local(taken), finished)
        set_dossier(database, dossier_id, local(created))
        ids.append(dossier_id)
    return ids


def test_heat_map_counts_working_hours_only_over_weekends_and_holidays(desk, verified):
    response = desk.get(
        f"{API}/social_allowance/heatmap",
        by="lanhdao1",
        **{"from": "2026-03-01", "to": "2026-04-30"},
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["procedure"], body["version"], body["dossiers"]) == ("social_allowance", 1, 3)
    verify = figures(body, "verify_beneficiary")
    # waiting [0.5, 2, 4], working [1, 2, 3.5], total [3, 4, 6]: p90 at rank 1.8
    assert verify["count"] == 3
    assert verify["waiting"] == {"median": 2.0, "p90": 3.6}
    assert verify["working"] == {"median": 2.0, "p90": 3.2}
    assert verify["total"] == {"median": 4.0, "p90": 5.6}
    guide = figures(body, "guide_online_submission")
    assert (guide["count"], guide["open"]) == (0, 3)
    assert guide["total"] == {"median": None, "p90": None}
    assert body["slowest"][0]["element_id"] == "verify_beneficiary"
    assert body["max_hours"] == 4.0
    [unit] = body["by_unit"]
    assert (unit["open"], unit["unclaimed"]) == (4, 4)  # the fourth dossier's task is open too


def test_heat_map_scope_follows_the_leaders_unit(desk, verified):
    other = desk.get(f"{API}/social_allowance/heatmap", by="lanhdao2").json
    assert other["dossiers"] == 0
    assert {step["count"] for step in other["steps"]} == {0}
    designer = desk.get(f"{API}/social_allowance/heatmap", by="thietke").json
    assert designer["dossiers"] == 4


@pytest.mark.parametrize("username", ["ldxh1", "tiepnhan1", "hotich1"])
def test_specialists_and_reception_may_not_read_bottlenecks(desk, username):
    for url in ("heatmap", "hints", "versions/compare"):
        assert desk.get(f"{API}/social_allowance/{url}", by=username).status_code == 403
    response = desk.post(f"{API}/social_allowance/draft/simulate", {}, by=username)
    assert response.status_code == 403


def test_bad_period_and_unknown_version_are_clear_errors(desk):
    backwards = desk.get(
        f"{API}/social_allowance/heatmap",
        by="lanhdao1",
        **{"from": "2026-05-01", "to": "2026-04-01"},
    )
    assert backwards.status_code == 422
    assert backwards.content_type == "application/problem+json"
    missing = desk.get(f"{API}/social_allowance/heatmap", by="lanhdao1", version=9)
    assert missing.status_code == 404
    assert desk.get(f"{API}/khong_co/heatmap", by="lanhdao1").status_code == 404
    typo = desk.get(f"{API}/social_allowance/heatmap", by="lanhdao1", form="2026-01-01")
    assert typo.status_code == 422


# --- before / after ---------------------------------------------------------------------------


def publish_version(desk, time_limit: int) -> None:
    """social_allowance again, with another statutory limit, through a draft."""
    folder = PROCESSES / "social_allowance"
    metadata = json.loads((folder / "metadata.json").read_text())
    files = {
        path.name: path.read_text() for path in folder.iterdir() if path.name != "metadata.json"
    }
    body = {"files": files, "metadata": {**metadata, "time_limit": time_limit}, "base_hash": None}
    saved = desk.client.put(
        f"{API}/social_allowance/draft", json=body, headers=desk.headers("thietke")
    )
    assert saved.status_code == 200, saved.json
    published = desk.post(
        f"{API}/social_allowance/draft/publish", {"note": "Rút ngắn thời hạn"}, by="thietke"
    )
    assert published.status_code in (200, 201), published.json


def settle(desk, database, received: str, finished: str) -> int:
    dossier_id = desk.receive("social_allowance")["id"]
    do_step(desk, dossier_id, "verify_beneficiary", ELIGIBLE, "ldxh1")
    do_step(desk, dossier_id, "guide_online_submission", GUIDE, "tiepnhan1")
    do_step(desk, dossier_id, "process_dossier", APPROVE, "ldxh1")
    do_step(desk, dossier_id, "return_result", RESULT, "tiepnhan1")
    set_dossier(database, dossier_id, local(received), local(finished))
    return dossier_id


def test_before_after_sets_each_version_against_the_one_before(desk, database):
    # version 1 (10 days): processing 16 h and 24 h (Mon 07:30 -> Wed 07:30, -> Thu 07:30)
    settle(desk, database, "2026-03-02 07:30", "2026-03-04 07:30")
    settle(desk, database, "2026-03-02 07:30", "2026-03-05 07:30")
    publish_version(desk, 7)
    # version 2 (7 days): 8 h and 12 h (Mon 07:30 -> Tue 07:30, -> Tue 11:30)
    settle(desk, database, "2026-03-09 07:30", "2026-03-10 07:30")
    settle(desk, database, "2026-03-09 07:30", "2026-03-10 11:30")
    response = desk.get(f"{API}/social_allowance/versions/compare", by="lanhdao1")
    assert response.status_code == 200, response.json
    first, second = response.json
    assert (first["number"], first["time_limit"], first["limit_hours"]) == (1, 10, 80.0)
    assert (first["settled"], first["processing"]["median"]) == (2, 20.0)
    assert (first["limit_change_pct"], first["median_change_pct"]) == (None, None)
    assert (second["number"], second["time_limit"], second["note"]) == (2, 7, "Rút ngắn thời hạn")
    assert second["processing"]["median"] == 10.0
    assert second["limit_change_pct"] == -30.0  # 10 -> 7 days
    assert second["median_change_pct"] == -50.0  # 20 h -> 10 h
    assert figures(second, "return_result")["count"] == 2


# --- hints ------------------------------------------------------------------------------------


def test_hints_name_each_kind_with_the_figures_behind_it(desk, database):
    """Ten dossiers: verification always finds the applicant eligible, waits 8 h for 1 h of
    work; guidance (reception) then the decision (labour) share no data; the decision approves
    eight times in ten (no hint: the branch does change)."""
    monday = local("2026-03-02 07:30")
    for index in range(10):
        dossier_id = desk.receive("social_allowance")["id"]
        verify = do_step(desk, dossier_id, "verify_beneficiary", ELIGIBLE, "ldxh1")
        guide = do_step(desk, dossier_id, "guide_online_submission", GUIDE, "tiepnhan1")
        decided = APPROVE if index < 8 else REFUSE
        decide = do_step(desk, dossier_id, "process_dossier", decided, "ldxh1")
        day = monday + timedelta(days=7 * index)  # each on a Monday: 8 h on Monday, then Tuesday
        set_dossier(database, dossier_id, day)
        set_task(database, verify, day, day + timedelta(days=1), day + timedelta(days=1, hours=1))
        tuesday = day + timedelta(days=1, hours=1)
        set_task(database, guide, tuesday, tuesday, tuesday + timedelta(hours=2))
        later = tuesday + timedelta(hours=2)
        set_task(database, decide, later, later, later + timedelta(hours=1))
    response = desk.get(f"{API}/social_allowance/hints", by="lanhdao1")
    assert response.status_code == 200, response.json
    found = {hint["kind"]: hint for hint in response.json}
    assert sorted(found) == ["rarely_changes_outcome", "run_in_parallel", "staffing"]
    same = found["rarely_changes_outcome"]
    assert same["element_ids"] == ["verify_beneficiary", "is_eligible"]
    assert same["figures"]["decided"] == 10
    assert same["figures"]["share_pct"] == 100.0
    assert same["figures"]["branch"] == "Hướng dẫn nộp hồ sơ trực tuyến"
    parallel = found["run_in_parallel"]
    assert parallel["element_ids"] == ["guide_online_submission", "process_dossier"]
    assert parallel["figures"]["roles"] == ["reception", "labour_social"]
    assert parallel["figures"]["saved_per_dossier_hours"] == 1.0
    staffing = found["staffing"]
    assert staffing["element_ids"] == ["verify_beneficiary"]
    assert staffing["figures"]["median_waiting_hours"] == 8.0
    assert staffing["figures"]["median_working_hours"] == 1.0
    assert staffing["figures"]["ratio"] == 8.0
    # ranked by hours at stake: 70 waited beyond work, 90 of removable checking, 10 in parallel
    assert [hint["kind"] for hint in response.json] == [
        "rarely_changes_outcome",
        "staffing",
        "run_in_parallel",
    ]
    assert [hint["hours_at_stake"] for hint in response.json] == [90.0, 70.0, 10.0]


# --- what-if ----------------------------------------------------------------------------------

ARRIVAL_RATE = 0.5
"""Dossiers per working hour."""
SERVICE_RATE = 1.0
"""Dossiers one leader signs per working hour."""
CASES = 100


def test_simulation_reproduces_a_single_queue_within_its_range(desk, database):
    """One step (`sign`, the leader's lane), one leader in C01, Poisson arrivals and exponential
    work: an M/M/1 queue, whose time in system is exponential with rate mu - lambda, so its
    median is ln 2 / (mu - lambda) = 1.39 working hours, and utilisation 0.5."""
    assert desk.publish_construct("plain_task").status_code == 201
    rng = random.Random(19)  # noqa: S311 (a replicable sample)
    start = due_in_hours(datetime.now(UTC) - timedelta(days=75), 0)
    clock = 0.0
    moments = []
    for _ in range(CASES):
        clock += rng.expovariate(ARRIVAL_RATE)
        moments.append(clock)
    free_at = 0.0
    for arrival in moments:
        dossier_id = desk.receive("plain_task")["id"]
        work = rng.expovariate(SERVICE_RATE)
        begin = max(arrival, free_at)
        free_at = begin + work
        task_id = desk.task_id(dossier_id, "sign")
        claim(desk, task_id, "lanhdao1")
        assert desk.complete(task_id, {}, by="lanhdao1").status_code == 200
        received = due_in_hours(start, arrival)
        set_task(
            database,
            task_id,
            received,
            due_in_hours(start, begin),
            due_in_hours(start, free_at),
        )
        set_dossier(database, dossier_id, received, due_in_hours(start, free_at))
    draft = desk.client.put(
        f"{API}/plain_task/draft",
        json={
            "files": construct_files("plain_task"),
            "metadata": {
                "code": "plain_task",
                "name_vi": "Thử plain_task",
                "name_en": "Test plain_task",
                "field": "civil_status",
                "time_limit": 5,
                "process_id": "plain_task",
            },
            "base_hash": None,
        },
        headers=desk.headers("thietke"),
    )
    assert draft.status_code == 200, draft.json
    response = desk.post(f"{API}/plain_task/draft/simulate", {"runs": 20}, by="lanhdao1")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["arrivals"] == CASES
    assert body["unknown_steps"] == []
    assert body["steps"][0]["source"] == "history"
    expected = math.log(2) / (SERVICE_RATE - ARRIVAL_RATE)
    queue = next(model for model in body["models"] if model["model"] == "queue")
    estimate = queue["draft"]["median_hours"]
    assert estimate["p10"] <= estimate["p50"] <= estimate["p90"]
    assert estimate["p10"] <= expected <= estimate["p90"], body
    calibration = queue["calibration"]
    assert calibration["dossiers_settled"] == CASES
    assert abs(calibration["median_off_pct"]) < 25, calibration
    assert body["seconds"] < 10


def construct_files(process_id: str) -> dict[str, str]:
    constructs = Path(__file__).resolve().parents[1] / "data" / "constructs"
    return {
        f"{process_id}.bpmn": (constructs / f"{process_id}.bpmn").read_text(),
        **{form.name: form.read_text() for form in constructs.glob("*.form.json")},
    }


def test_simulation_asks_for_new_steps_and_needs_a_draft(desk, database):
    assert desk.post(f"{API}/social_allowance/draft/simulate", {}, by="lanhdao1").status_code == 404
    folder = PROCESSES / "social_allowance"
    files = {
        path.name: path.read_text() for path in folder.iterdir() if path.name != "metadata.json"
    }
    files["social_allowance.bpmn"] = (
        files["social_allowance.bpmn"]
        .replace('id="guide_online_submission"', 'id="guide_online_new"')
        .replace('targetRef="guide_online_submission"', 'targetRef="guide_online_new"')
        .replace('sourceRef="guide_online_submission"', 'sourceRef="guide_online_new"')
        .replace(
            "<bpmn:flowNodeRef>guide_online_submission</bpmn:flowNodeRef>",
            "<bpmn:flowNodeRef>guide_online_new</bpmn:flowNodeRef>",
        )
    )
    metadata = json.loads((folder / "metadata.json").read_text())
    saved = desk.client.put(
        f"{API}/social_allowance/draft",
        json={"files": files, "metadata": metadata, "base_hash": None},
        headers=desk.headers("thietke"),
    )
    assert saved.status_code == 200, saved.json
    dossier_id = desk.receive("social_allowance")["id"]
    do_step(desk, dossier_id, "verify_beneficiary", ELIGIBLE, "ldxh1")
    do_step(desk, dossier_id, "guide_online_submission", GUIDE, "tiepnhan1")
    unknown = desk.post(f"{API}/social_allowance/draft/simulate", {"runs": 2}, by="thietke").json
    never_done = ["process_dossier", "receive_supplement", "return_refusal", "return_result"]
    assert sorted(unknown["unknown_steps"]) == ["guide_online_new", *never_done]
    sources = {step["element_id"]: step["source"] for step in unknown["steps"]}
    assert sources["verify_beneficiary"] == "history"
    estimated = desk.post(
        f"{API}/social_allowance/draft/simulate",
        {"runs": 2, "estimates": {"guide_online_new": 2.5}},
        by="thietke",
    ).json
    assert sorted(estimated["unknown_steps"]) == never_done
    [new] = [step for step in estimated["steps"] if step["element_id"] == "guide_online_new"]
    assert (new["source"], new["median_hours"]) == ("estimate", 2.5)
    bad = desk.post(f"{API}/social_allowance/draft/simulate", {"runs": 1000}, by="thietke")
    assert bad.status_code == 422
