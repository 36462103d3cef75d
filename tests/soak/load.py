"""Client threads that work a few dossiers together through the real server, as the demo users.

Each client loops: pick one of the dossiers on the shared `Board` (few, so several clients pick the
same one), read its open tasks, then complete, claim, release or reassign one of them as a user who
holds the task's role in its unit; now and then a leader or receptionist refuses the whole dossier
instead, which cancels its open tasks under the others' feet. Clients read and act without
coordinating, so many requests lose a race; the loser must get a 409. Every answer is tallied;
every completion answered with 2xx is kept, with who made it, to be found in the database after.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from engine.catalogue.demo import COMMUNE_USERS
from engine.catalogue.demo import COMMUNES
from tests.api.journeys import APPLICANT
from tests.api.journeys import NEWBORN_STEPS

ADMIN = "admin"
PROCEDURES = ("newborn_bundle", "social_allowance")
STEP_DATA: dict[str, dict[str, Any]] = {
    **{element_id: data for element_id, (_, data) in NEWBORN_STEPS.items()},
    "verify_beneficiary": {"beneficiary_group": "elderly_80", "eligible": "yes"},
    "guide_online_submission": {"submission_channel": "assisted"},
    "process_dossier": {"decision": "approve", "monthly_amount": 540000, "start_month": "2026-03"},
    "return_result": {"delivery_method": "in_person"},
    "follow_up": {},  # the crash test's timer procedure (tests/soak/timer_soon.bpmn)
}
"""Valid form data for every step the soak meets (element ids do not repeat across them)."""
ACTIONS = ("complete", "claim", "release", "reassign", "refuse")
WEIGHTS = (45, 25, 10, 20, 2)
TIMEOUT = 60.0
RACE_LOST = frozenset({409})
"""The non-2xx answer a client gets when it lost a race (task done, held by another, or, for a
holder delegating, taken from them meanwhile)."""


def _holder_names() -> dict[tuple[str, str], list[str]]:
    """(role, unit code) -> the demo users holding that role there, admin first."""
    holders: dict[tuple[str, str], list[str]] = {}
    for index, (unit_code, _, _) in enumerate(COMMUNES, start=1):
        for prefix, _, role in COMMUNE_USERS:
            holders[(role, unit_code)] = [ADMIN, f"{prefix}{index}"]
    return holders


HOLDERS = _holder_names()


def holders(role: str, unit_code: str) -> list[str]:
    return HOLDERS.get((role, unit_code), [ADMIN])


@dataclass(frozen=True)
class Ack:
    """A completion the server answered with 2xx: it must be in the database, by this user."""

    task_id: int
    dossier_id: int
    username: str
    at: float
    """time.monotonic() of the answer."""


@dataclass
class Tally:
    answers: Counter[tuple[str, int]] = field(default_factory=Counter)
    """(action, HTTP status) -> how many."""
    conflicts: Counter[str] = field(default_factory=Counter)
    """409 details -> how many."""
    acks: list[Ack] = field(default_factory=list)
    received: list[int] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    """Answers neither 2xx nor expected for their request, with their bodies."""
    no_answer: Counter[str] = field(default_factory=Counter)
    """Requests that got no HTTP answer (refused or cut: only while the server is down), by
    action and error."""
    successes: list[float] = field(default_factory=list)
    """time.monotonic() of every 2xx answer."""

    def merge(self, other: Tally) -> None:
        self.answers.update(other.answers)
        self.conflicts.update(other.conflicts)
        self.acks += other.acks
        self.received += other.received
        self.unexpected += other.unexpected
        self.no_answer.update(other.no_answer)
        self.successes += other.successes

    @property
    def requests(self) -> int:
        return sum(self.answers.values())

    def count(self, *, status: int | None = None, action: str | None = None) -> int:
        return sum(
            n
            for (act, code), n in self.answers.items()
            if (status is None or code == status) and (action is None or act == action)
        )

    @property
    def server_errors(self) -> int:
        return sum(n for (_, code), n in self.answers.items() if code >= 500)


class Board:
    """The dossiers being worked now. A finished one is replaced by a new one, received by the
    first client that notices; the others pick another slot meanwhile."""

    REFILLING = -1

    def __init__(self, size: int) -> None:
        self.slots: list[int | None] = [None] * size
        self.lock = threading.Lock()

    def pick(self, rng: random.Random) -> tuple[int, int | None]:
        """(slot, dossier id); dossier None means the caller now refills that slot."""
        with self.lock:
            slot = rng.randrange(len(self.slots))
            dossier_id = self.slots[slot]
            if dossier_id is None:
                self.slots[slot] = self.REFILLING
            return slot, dossier_id

    def finished(self, slot: int, dossier_id: int) -> None:
        with self.lock:
            if self.slots[slot] == dossier_id:
                self.slots[slot] = None

    def refilled(self, slot: int, dossier_id: int | None) -> None:
        with self.lock:
            self.slots[slot] = dossier_id


class Client(threading.Thread):
    """One person's browser, in effect: its own connection, any demo user's token."""

    def __init__(
        self, port: int, tokens: dict[str, str], board: Board, stop: threading.Event, seed: int
    ) -> None:
        super().__init__(daemon=True, name=f"soak-client-{seed}")
        self.port = port
        self.tokens = tokens
        self.board = board
        self.stop = stop
        self.rng = random.Random(seed)  # noqa: S311 - picks work, guards nothing
        self.number = seed
        self.tally = Tally()
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)

    def call(
        self,
        action: str,
        method: str,
        path: str,
        by: str,
        body: Any = None,
        expected: frozenset[int] = RACE_LOST,
    ) -> Any:
        """The answer's JSON on 2xx; None otherwise (tallied; a status not in `expected` is kept
        with its body)."""
        headers = {"Authorization": f"Bearer {self.tokens[by]}", "Content-Type": "application/json"}
        try:
            payload = None if body is None else json.dumps(body)
            self.connection.request(method, path, body=payload, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.connection.close()
            self.tally.no_answer[f"{action}: {type(exc).__name__}"] += 1
            time.sleep(0.05)  # the server is down: do not spin
            return None
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        status = response.status
        self.tally.answers[(action, status)] += 1
        answer = json.loads(data) if data else None
        if 200 <= status < 300:
            self.tally.successes.append(time.monotonic())
            return answer if answer is not None else {}
        if status == 409:
            self.tally.conflicts[str((answer or {}).get("detail"))] += 1
        if status not in expected:
            self.tally.unexpected.append(f"{action} {path} as {by}: {status} {data[:400]!r}")
        return None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                slot, dossier_id = self.board.pick(self.rng)
                if dossier_id is None:
                    self.board.refilled(slot, self.receive())
                elif dossier_id != Board.REFILLING:
                    self.work(slot, dossier_id)
        except Exception as exc:  # a client that dies must fail the run, not thin the crowd
            self.tally.unexpected.append(f"{self.name} stopped: {type(exc).__name__}: {exc}")

    def receive(self) -> int | None:
        unit_code = COMMUNES[self.number % len(COMMUNES)][0]
        body = {
            "procedure_code": self.rng.choice(PROCEDURES),
            "channel": "in_person",
            "unit": unit_code,
            "applicant": APPLICANT,
        }
        answer = self.call("receive", "POST", "/api/v1/dossiers", ADMIN, body)
        if answer is None:
            return None
        self.tally.received.append(answer["id"])
        return int(answer["id"])

    def work(self, slot: int, dossier_id: int) -> None:
        dossier = self.call("read", "GET", f"/api/v1/dossiers/{dossier_id}", ADMIN)
        if dossier is None:
            return
        if not dossier["tasks"]:
            self.board.finished(slot, dossier_id)
            return
        task = self.rng.choice(dossier["tasks"])
        action = self.rng.choices(ACTIONS, WEIGHTS)[0]
        getattr(self, action)(task)

    def complete(self, task: dict[str, Any]) -> None:
        by = self._worker(task, keep_holder=0.7)
        body = {"data": STEP_DATA[task["element_id"]]}
        path = f"/api/v1/tasks/{task['id']}/complete"
        if self.call("complete", "POST", path, by, body) is not None:
            self.tally.acks.append(Ack(task["id"], task["dossier_id"], by, time.monotonic()))

    def claim(self, task: dict[str, Any]) -> None:
        self.call("claim", "POST", f"/api/v1/tasks/{task['id']}/claim", self._worker(task))

    def release(self, task: dict[str, Any]) -> None:
        by = self._worker(task, keep_holder=0.5)
        self.call("release", "POST", f"/api/v1/tasks/{task['id']}/release", by, {"note": "soak"})

    def reassign(self, task: dict[str, Any]) -> None:
        """By a leader of the task's unit (reassignment) or by its holder (delegation)."""
        unit_code = task["unit"]["code"]
        leaders = holders("leader", unit_code)
        by_options = list(leaders)
        if task["assignee"]:
            by_options.append(task["assignee"]["username"])
        by = self.rng.choice(by_options)
        body = {"assignee": self.rng.choice(holders(task["role"], unit_code)), "note": "soak"}
        path = f"/api/v1/tasks/{task['id']}/reassign"
        self.call("reassign", "POST", path, by, body, RACE_LOST)

    def refuse(self, task: dict[str, Any]) -> None:
        """End the task's dossier (form 03): races every command on its other open tasks."""
        unit_code = task["unit"]["code"]
        by = self.rng.choice(holders("leader", unit_code) + holders("reception", unit_code))
        body = {"reason": "Hồ sơ không đủ điều kiện (soak)"}
        self.call("refuse", "POST", f"/api/v1/dossiers/{task['dossier_id']}/refuse", by, body)

    def _worker(self, task: dict[str, Any], keep_holder: float = 0.0) -> str:
        """Usually the task's holder when it has one (who else would work it), else anyone of
        its role and unit: who then races the holder and loses with a 409."""
        if task["assignee"] and self.rng.random() < keep_holder:
            return str(task["assignee"]["username"])
        return self.rng.choice(holders(task["role"], task["unit"]["code"]))


def call(
    port: int,
    method: str,
    path: str,
    *,
    token: str = "",
    body: Any = None,
    timeout: float = TIMEOUT,
) -> tuple[int, Any]:
    """One request outside the crowd, on a connection of its own: (status, JSON answer)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        payload = None if body is None else json.dumps(body)
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    return response.status, json.loads(data) if data else None


def login_all(port: int) -> dict[str, str]:
    """Bearer tokens of admin and every commune demo user, logged in side by side (argon2 makes
    each login slow)."""
    names = sorted({ADMIN} | {name for pair in HOLDERS.values() for name in pair})

    def login(name: str) -> str:
        body = {"username": name, "password": "admin" if name == ADMIN else "demo"}
        status, answer = call(port, "POST", "/api/v1/auth/login", body=body)
        assert status == 200, (name, answer)
        return str(answer["token"])

    with ThreadPoolExecutor(4) as pool:
        return dict(zip(names, pool.map(login, names), strict=True))


class Crowd:
    """`size` clients on one board of `dossiers` dossiers."""

    def __init__(self, port: int, tokens: dict[str, str], *, size: int, dossiers: int) -> None:
        self.board = Board(dossiers)
        self.halt = threading.Event()
        self.clients = [Client(port, tokens, self.board, self.halt, n) for n in range(size)]

    def start(self) -> None:
        for client in self.clients:
            client.start()

    def stop(self) -> Tally:
        """Stop every client (once its request in flight is answered); their merged tally."""
        self.halt.set()
        total = Tally()
        for client in self.clients:
            client.join(timeout=TIMEOUT + 10)
            assert not client.is_alive(), f"{client.name} did not stop"
            total.merge(client.tally)
        return total
