"""2. Cost per step as history grows: one newborn_bundle dossier loops through supplement rounds.

Each round is two task completions through the API (Flask test client): `check_dossier` says
the dossier is incomplete, then `receive_supplement` records the papers, and the workflow goes
back to `check_dossier`. Step n is the n-th completed task of the dossier. Several dossiers walk
the loop in turn (one round each at a time), so a burst of load elsewhere hits all step numbers
alike; the figure is the median of steps 4-6 over all dossiers against steps 99-101. One more
dossier walks 10 rounds first, not counted, so the early steps do not pay for cold caches.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import harness
from sqlalchemy import text
from sqlalchemy.engine import make_url

TARGET_RATIO = 1.5
WARMUP_ROUNDS = 10
EARLY = (4, 5, 6)
LATE = (99, 100, 101)
CHECK_NO = {
    "dossier_complete": "no",
    "missing_items": "Bản sao giấy chứng sinh; giấy tờ chứng minh nơi cư trú.",
}
SUPPLEMENT_RECEIVED = {"supplement_outcome": "received", "note": "Đã nhận đủ giấy tờ bổ sung."}
APPLICANT = {"full_name": "Lê Thị Hồng", "id_number": "001234567891", "phone": "0912345679"}


class LoopingDossier:
    """One dossier and its open task; `step()` completes that task and times the request."""

    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers
        response = client.post(
            "/api/v1/dossiers",
            json={
                "procedure_code": "newborn_bundle",
                "channel": "in_person",
                "unit": "C01",
                "applicant": APPLICANT,
            },
            headers=headers,
        )
        if response.status_code != 201:
            raise SystemExit(f"growth: receiving failed: {response.status_code} {response.json}")
        self.id = response.json["id"]
        self.task = self._only(response.json["tasks"], "check_dossier")
        self.samples_ms: list[float] = []

    @staticmethod
    def _only(tasks: list[dict[str, Any]], element_id: str) -> int:
        if [t["element_id"] for t in tasks] != [element_id]:
            raise SystemExit(f"growth: expected only {element_id}, got {tasks}")
        return int(tasks[0]["id"])

    def step(self, data: dict[str, Any], then: str) -> None:
        url = f"/api/v1/tasks/{self.task}/complete"
        started = time.perf_counter()
        response = self.client.post(url, json={"data": data}, headers=self.headers)
        self.samples_ms.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"growth: step failed: {response.status_code} {response.json}")
        self.task = self._only(response.json["next_tasks"], then)


def _window(dossiers: list[LoopingDossier], steps: tuple[int, ...]) -> float:
    return statistics.median(d.samples_ms[n - 1] for d in dossiers for n in steps)


def _sizes(app: Any, dossier_id: int) -> str:
    with harness.app_engine(app).connect() as connection:
        state = connection.scalar(
            text("SELECT length(state) FROM workflow_state WHERE dossier_id = :d"),
            {"d": dossier_id},
        )
        tasks = connection.scalar(
            text("SELECT count(*) FROM task WHERE dossier_id = :d"), {"d": dossier_id}
        )
        events = connection.scalar(
            text("SELECT count(*) FROM event WHERE dossier_id = :d"), {"d": dossier_id}
        )
    return f"workflow state {state} chars, {tasks} task rows, {events} events"


def measure(url: str, *, dossiers: int, rounds: int) -> harness.Result:
    dialect = make_url(url).get_backend_name()
    harness.section(f"2. growth with history ({dialect}): {dossiers} dossiers x {rounds} rounds")
    app = harness.build_app(url)
    client = app.test_client()
    headers = harness.login(client)
    warmup = LoopingDossier(client, headers)  # caches and prepared statements warm, not counted
    for _ in range(WARMUP_ROUNDS):
        warmup.step(CHECK_NO, then="receive_supplement")
        warmup.step(SUPPLEMENT_RECEIVED, then="check_dossier")
    walking = [LoopingDossier(client, headers) for _ in range(dossiers)]
    sizes = {}
    for number in range(1, rounds + 1):
        for dossier in walking:
            dossier.step(CHECK_NO, then="receive_supplement")
            dossier.step(SUPPLEMENT_RECEIVED, then="check_dossier")
        if number in (3, rounds // 2, rounds):
            sizes[2 * number] = _sizes(app, walking[0].id)
    harness.app_engine(app).dispose()
    early, late = _window(walking, EARLY), _window(walking, LATE)
    last = statistics.median(d.samples_ms[-1 - i] for d in walking for i in range(3))
    for step, size in sizes.items():
        harness.say(f"after step {step:>3}: {size}")
    harness.say(f"median of steps {EARLY[0]}-{EARLY[-1]}: {early:.2f} ms")
    harness.say(f"median of steps {LATE[0]}-{LATE[-1]}: {late:.2f} ms  ({late / early:.2f}x)")
    harness.say(
        f"median of the last 3 steps (of {2 * rounds}): {last:.2f} ms ({last / early:.2f}x)"
    )
    ratio = late / early
    return harness.Result(
        f"2 growth, step 100 vs 5 ({dialect})",
        f"{late:.2f} ms vs {early:.2f} ms = {ratio:.2f}x (step {2 * rounds}: {last / early:.2f}x)",
        f"<= {TARGET_RATIO}x",
        ratio <= TARGET_RATIO,
    )


def run(options: harness.Options) -> list[harness.Result]:
    dossiers, rounds = options.pick(4, 10), 100
    found = [measure(options.sqlite_url("growth"), dossiers=dossiers, rounds=rounds)]
    problem = harness.reachable(options.database_url)
    if problem is None:
        found.append(measure(options.database_url, dossiers=dossiers, rounds=rounds))
    else:
        found.append(harness.skipped("2 growth (postgresql)", f"<= {TARGET_RATIO}x", problem))
    return found
