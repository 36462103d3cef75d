"""1b. Completed tasks per second through a real server: gunicorn (2 sync workers) on PostgreSQL.

8 client threads in this process, over loopback, each with its own admin token: receive a dossier
(POST /api/v1/dossiers), complete its tasks along the case's path, start the next one; the two
shipped procedures alternate. Only task completions count; receipts are load the server carries
too. Requests after a warm-up and before the end of the window count. Server, database and
clients share the machine's cores: the CPU seconds each used are printed beside the rate, and
per completed task the workers' and the PostgreSQL backends' (those serving the database, when
the server runs on this machine). The rate moves with whatever else runs here; CPU per task
much less, so two versions of the code compare by it (bench/RESULTS.md run 8).

The target was set for this machine size when a raw SpiffWorkflow step took about 1 ms (the
issue; ../shared/reference/spiff-bench.md). This machine's speed drifts 2-3x for hours, so the
raw step of the same two procedures (`step_vs_raw.raw_steps`, both alternating as the clients
do) is timed in this process on the idle machine just before the server starts and just after
it stops, and the rate is also given scaled to a 1 ms raw step: tasks/s x raw ms / 1 ms, the
ratio the guide asks for, in one run. The unscaled rate keeps its own verdict.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import statistics
import threading
import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import harness
import step_vs_raw
from sqlalchemy import make_url

from tests.support import live_server

TARGET_RATE = 300.0
REFERENCE_RAW_MS = 1.0
"""The raw step the target was set against: "about 1 ms" on this machine size (the issue)."""
RAW_INSTANCES = 12
"""Instances per procedure walked raw before and after the window (the first of each warms up)."""
CLIENTS = 8
WORKERS = 2
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Tally:
    completed_at: list[float] = field(default_factory=list)
    completion_ms: list[float] = field(default_factory=list)
    received: int = 0
    server_errors: int = 0
    server_error_bodies: list[str] = field(default_factory=list)
    other_errors: list[str] = field(default_factory=list)


class Client(threading.Thread):
    def __init__(self, port: int, number: int) -> None:
        super().__init__(daemon=True)
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.number = number
        self.window = (0.0, 0.0)
        """Completions that end inside (start, end) count; the client stops at the end."""
        self.tally = Tally()
        self.headers = {"Content-Type": "application/json"}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        payload = None if body is None else json.dumps(body)
        self.connection.request(method, path, body=payload, headers=self.headers)
        response = self.connection.getresponse()
        data = response.read()
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return response.status, json.loads(data) if data else None

    def login(self) -> None:
        username, password = harness.ADMIN
        credentials = {"username": username, "password": password}
        status, body = self.call("POST", "/api/v1/auth/login", credentials)
        if status != 200:
            raise SystemExit(f"throughput: login failed {status} {body}")
        self.headers["Authorization"] = f"Bearer {body['token']}"

    def run(self) -> None:
        cases = step_vs_raw.CASES
        turn = self.number
        while time.perf_counter() < self.window[1]:
            case = cases[turn % len(cases)]
            turn += 1
            open_tasks = self.receive(case)
            for step in case.path:
                if open_tasks is None or time.perf_counter() >= self.window[1]:
                    break
                open_tasks = self.complete(case, step, open_tasks)

    def _failed(self, status: int, body: Any, what: str) -> None:
        if status >= 500:
            self.tally.server_errors += 1
            self.tally.server_error_bodies.append(f"{what}: {status} {str(body)[:300]}")
        else:
            self.tally.other_errors.append(f"{what}: {status} {str(body)[:200]}")

    def receive(self, case: step_vs_raw.Case) -> dict[str, int] | None:
        body = {
            "procedure_code": case.code,
            "channel": case.channel,
            "unit": ("C01", "C02")[self.number % 2],
            "applicant": step_vs_raw.APPLICANT,
        }
        status, answer = self.call("POST", "/api/v1/dossiers", body)
        if status != 201:
            self._failed(status, answer, "receive")
            return None
        self.tally.received += 1
        return {t["element_id"]: t["id"] for t in answer["tasks"]}

    def complete(
        self, case: step_vs_raw.Case, step: step_vs_raw.Step, open_tasks: dict[str, int]
    ) -> dict[str, int] | None:
        task_id = open_tasks.pop(step.element_id)
        started = time.perf_counter()
        status, answer = self.call("POST", f"/api/v1/tasks/{task_id}/complete", {"data": step.data})
        ended = time.perf_counter()
        if status != 200:
            self._failed(status, answer, f"{case.code}/{step.element_id}")
            return None
        if self.window[0] <= ended <= self.window[1]:
            self.tally.completed_at.append(ended)
            self.tally.completion_ms.append((ended - started) * 1000)
        open_tasks.update({t["element_id"]: t["id"] for t in answer["next_tasks"]})
        return open_tasks


# --- the server and CPU accounting -------------------------------------------------------------


def start_server(database_url: str, port: int, log: Path) -> live_server.Gunicorn:
    env = {"DATABASE_URL": database_url, "SECRET_KEY": harness.SECRET, "SCHEDULER_ENABLED": "false"}
    server = live_server.Gunicorn(port=port, env=env, log=log, workers=WORKERS)
    try:
        server.start()
    except live_server.ServerFailed as exc:
        raise SystemExit(f"throughput: {exc}") from exc
    return server


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def _database_cpu(database: str) -> float:
    """CPU seconds of the PostgreSQL backends serving `database` on this machine (their process
    titles name it; none when the server runs elsewhere)."""
    title = f" {database} ".encode()
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if command.startswith(b"postgres: ") and title in command:
            total += _cpu_seconds(int(entry.name))
    return total


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Window:
    """What the clients did in the timed window, and the CPU each side used meanwhile."""

    begin: float
    seconds: float
    tallies: list[Tally]
    workers_cpu: float
    client_cpu: float
    machine_busy: float
    database_cpu: float
    """Of its backends on this machine (0.0 when the server runs elsewhere)."""

    @property
    def done(self) -> int:
        return sum(len(t.completed_at) for t in self.tallies)

    @property
    def server_errors(self) -> list[str]:
        return [body for t in self.tallies for body in t.server_error_bodies]

    @property
    def other_errors(self) -> list[str]:
        return [e for t in self.tallies for e in t.other_errors]


def drive(port: int, workers: list[int], database: str, *, seconds: float, warmup: float) -> Window:
    clients = [Client(port, n) for n in range(CLIENTS)]
    for client in clients:
        client.login()
    begin = time.perf_counter() + warmup
    for client in clients:
        client.window = (begin, begin + seconds)
        client.start()
    time.sleep(max(0.0, begin - time.perf_counter()))
    before = (
        sum(_cpu_seconds(p) for p in workers),
        _own_cpu(),
        _machine_busy()[0],
        _database_cpu(database),
    )
    for client in clients:
        client.join()
    after = (
        sum(_cpu_seconds(p) for p in workers),
        _own_cpu(),
        _machine_busy()[0],
        _database_cpu(database),
    )
    used = [a - b for a, b in zip(after, before, strict=True)]
    return Window(begin, seconds, [c.tally for c in clients], *used)


def report(window: Window, log: Path) -> None:
    seconds, done = window.seconds, window.done
    harness.say(f"completed tasks: {done} in {seconds:.0f} s = {done / seconds:.1f} tasks/s")
    buckets = [0] * max(1, int(seconds // 10))
    for tally in window.tallies:
        for ended in tally.completed_at:
            buckets[min(len(buckets) - 1, int((ended - window.begin) // 10))] += 1
    harness.say("tasks/s per 10 s of the window: " + ", ".join(f"{b / 10:.0f}" for b in buckets))
    harness.say(f"dossiers received (whole run): {sum(t.received for t in window.tallies)}")
    latencies = [ms for t in window.tallies for ms in t.completion_ms]
    if latencies:
        harness.say(f"completion latency: {harness.summary_ms(latencies)}")
    others = window.other_errors
    harness.say(f"5xx: {len(window.server_errors)}; other errors: {len(others)} {others[:3]}")
    for body in window.server_errors[:3]:
        harness.say(f"  5xx answer: {body}")
    if window.server_errors:
        harness.say("  end of the gunicorn log:\n" + log.read_text(errors="replace")[-4000:])
    harness.say(
        f"CPU in the window (core-seconds per wall second): gunicorn workers "
        f"{window.workers_cpu / seconds:.2f}, PostgreSQL backends "
        f"{window.database_cpu / seconds:.2f}, clients {window.client_cpu / seconds:.2f}, whole "
        f"machine {window.machine_busy / seconds:.2f} of {os.cpu_count()} (the rest: the "
        "server's other processes, the kernel, anything else)"
    )
    if done:
        per_task = window.workers_cpu / done * 1000
        harness.say(
            f"CPU per completed task (receipts included): gunicorn worker {per_task:.2f} ms, "
            f"PostgreSQL backends {window.database_cpu / done * 1000:.2f} ms"
        )


def raw_step_ms() -> list[float]:
    """ms per raw SpiffWorkflow step, the two procedures taking turns instance by instance as
    the clients walk them; each procedure's first instance is left out (warm-up)."""
    walks = {case.code: step_vs_raw.raw_steps(case) for case in step_vs_raw.CASES}
    samples: list[float] = []
    for instance in range(RAW_INSTANCES):
        for case in step_vs_raw.CASES:
            steps = list(itertools.islice(walks[case.code], len(case.path)))
            if instance:
                samples.extend(steps)
    return samples


def measure(options: harness.Options, *, seconds: float, warmup: float) -> list[harness.Result]:
    label = f"1b throughput ({WORKERS} gunicorn workers, {CLIENTS} clients, postgresql)"
    target = f">= {TARGET_RATE:.0f} tasks/s, 0 5xx"
    problem = harness.reachable(options.database_url)
    if problem is not None:
        return [harness.skipped(label, target, problem)]
    harness.section(f"1b. throughput: {CLIENTS} clients, {seconds:.0f} s after {warmup:.0f} s")
    app = harness.build_app(options.database_url)
    harness.app_engine(app).dispose()
    raw_before = raw_step_ms()
    port = live_server.free_port()
    log = options.scratch / "gunicorn.log"
    server = start_server(options.database_url, port, log)
    try:
        database = make_url(options.database_url).database or ""
        window = drive(port, server.worker_pids(), database, seconds=seconds, warmup=warmup)
    finally:
        server.stop()
    raw_after = raw_step_ms()
    report(window, log)
    rate, errors = window.done / seconds, len(window.server_errors)
    clean = not errors and not window.other_errors
    raw_ms = statistics.median(raw_before + raw_after)
    scaled = rate * raw_ms / REFERENCE_RAW_MS
    before, after = statistics.median(raw_before), statistics.median(raw_after)
    harness.say(
        f"raw SpiffWorkflow step on the idle machine, median: {before:.2f} ms before the "
        f"server, {after:.2f} ms after (n={len(raw_before)} "
        f"each); at a {REFERENCE_RAW_MS:.0f} ms raw step the rate scales to {rate:.1f} x "
        f"{raw_ms:.2f} = {scaled:.0f} tasks/s"
    )
    return [
        harness.Result(
            label, f"{rate:.0f} tasks/s, {errors} 5xx", target, rate >= TARGET_RATE and clean
        ),
        harness.Result(
            f"1b scaled to a {REFERENCE_RAW_MS:.0f} ms raw step (the target's machine speed)",
            f"{rate:.0f} x {raw_ms:.2f} ms = {scaled:.0f} tasks/s",
            f">= {TARGET_RATE:.0f} tasks/s",
            scaled >= TARGET_RATE and clean,
        ),
    ]


def run(options: harness.Options) -> list[harness.Result]:
    return measure(options, seconds=options.pick(20, 60), warmup=options.pick(3, 5))
