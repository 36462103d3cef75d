"""5. The timer sweep: many due timers fired by two processes at once, each exactly once.

A generated procedure puts a one-hour, non-interrupting boundary timer on its first task (a reminder
that opens a follow-up task for the leader). One dossier is received through the engine; its
dossier, workflow state, task and timer rows are then copied with COPY until there are N dossiers
waiting on a timer. Two sweeper processes (this file with --sweeper) start together and call
engine.background.timers.fire_due (the timer part of engine.background.sweep.sweep) with `now` past
the due time until nothing is left to claim. Checked afterwards in the database: every timer fired,
one `timer_fired` event and one follow-up task per dossier, and the two processes' counts add up.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import harness

TARGET_SECONDS = 20.0
TARGET_TIMERS = 10_000
SWEEPERS = 2
CODE = "bench_timer_reminder"
BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="Definitions_bench_timer" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="bench_timer_reminder" name="Nhắc việc sau 1 giờ" isExecutable="true">
    <bpmn:laneSet id="LaneSet_bench_timer">
      <bpmn:lane id="lane_reception" name="reception">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>check_dossier</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>one_hour_passed</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>done</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="lane_leader" name="leader">
        <bpmn:flowNodeRef>follow_up</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>followed_up</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="check_dossier" name="Kiểm tra hồ sơ">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="one_hour_passed" name="Quá 1 giờ" cancelActivity="false"
      attachedToRef="check_dossier">
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition id="one_hour">
        <bpmn:timeDuration>"PT1H"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="follow_up" name="Đôn đốc xử lý">
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="followed_up"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="done">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="outcome" value="result_returned" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check_dossier" />
    <bpmn:sequenceFlow id="f2" sourceRef="check_dossier" targetRef="done" />
    <bpmn:sequenceFlow id="f3" sourceRef="one_hour_passed" targetRef="follow_up" />
    <bpmn:sequenceFlow id="f4" sourceRef="follow_up" targetRef="followed_up" />
  </bpmn:process>
</bpmn:definitions>
"""


# --- the data: one real dossier, copied ---------------------------------------------------------


def _template(app: Any) -> int:
    """Publish the procedure and receive one dossier through the engine; its id."""
    from sqlalchemy import select

    from engine.access.accounts import load_actor
    from engine.catalogue.procedures import ProcedureMetadata
    from engine.catalogue.procedures import publish
    from engine.dossiers.receive import Submission
    from engine.dossiers.receive import submit
    from engine.models import User
    from engine.store.uow import UnitOfWork

    factory = harness.session_factory(app)
    with factory() as session:
        admin = load_actor(session, session.scalar(select(User.id).where(User.username == "admin")))
    meta = ProcedureMetadata(
        CODE, "Nhắc việc sau 1 giờ", "Reminder after one hour", "civil_status", 5, CODE
    )
    with UnitOfWork(factory) as uow:
        publish(uow, admin, meta, {f"{CODE}.bpmn": BPMN.encode()})
    applicant = {"full_name": "Phạm Văn Hẹn", "id_number": "001234567893"}
    with UnitOfWork(factory) as uow:
        dossier = submit(uow, admin, Submission(CODE, applicant, "in_person", {}, "C01"))
    return dossier.id


def _rows(conn: Any, table: str, column: str, value: int) -> list[dict[str, Any]]:
    from psycopg.rows import dict_row

    with conn.cursor(row_factory=dict_row) as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE {column} = %s ORDER BY 1", (value,))  # noqa: S608
        return list(cursor.fetchall())


def copy_dossier(
    url: str,
    dossier_id: int,
    copies: int,
    tables: tuple[str, ...] = ("workflow_state", "task", "timer"),
) -> None:
    """`copies` more dossiers exactly like `dossier_id`: same state, same waiting timer (the
    version-move benchmark copies dossiers without a timer: `tables` without it)."""
    import random

    import datagen
    import psycopg

    from engine.dossiers.lookup import KEY_ALPHABET
    from engine.dossiers.lookup import KEY_LENGTH

    rng = random.Random(5)
    with psycopg.connect(datagen.psycopg_dsn(url)) as conn:
        dossier = _rows(conn, "dossier", "id", dossier_id)[0]
        children = {t: _rows(conn, t, "dossier_id", dossier_id) for t in tables}
        if "timer" in tables and len(children["timer"]) != 1:
            raise SystemExit(f"timers: the template dossier has {children['timer']} timer rows")
        first = {
            t: conn.execute(f"SELECT max(id) + 1 FROM {t}").fetchone()[0]  # noqa: S608
            for t in ("dossier", *tables)
            if t != "workflow_state"
        }
        keys = {dossier["lookup_key"]}
        rows = []
        for n in range(copies):
            key = dossier["lookup_key"]
            while key in keys:
                key = "".join(rng.choices(KEY_ALPHABET, k=KEY_LENGTH))
            keys.add(key)
            code = f"{dossier['code'][:-4]}B{n:06d}"
            rows.append({**dossier, "id": first["dossier"] + n, "code": code, "lookup_key": key})
        _load(conn, "dossier", rows)
        for table, template in children.items():
            copied = []
            for n in range(copies):
                for index, row in enumerate(template):
                    values = {**row, "dossier_id": first["dossier"] + n}
                    if "id" in row:
                        values["id"] = first[table] + n * len(template) + index
                    copied.append(values)
            _load(conn, table, copied)
        for table in first:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"  # noqa: S608
                f" (SELECT max(id) FROM {table}))"
            )
        conn.commit()
    with psycopg.connect(datagen.psycopg_dsn(url), autocommit=True) as conn:
        for table in ("dossier", *tables):
            conn.execute(f"VACUUM (ANALYZE) {table}")


def _load(conn: Any, table: str, rows: list[dict[str, Any]]) -> None:
    import datagen

    columns = list(rows[0])
    datagen.Loader(conn, table, columns).load(tuple(r[c] for c in columns) for r in rows)


# --- the sweepers --------------------------------------------------------------------------------


def sweeper(url: str, now: datetime) -> dict[str, Any]:
    """Wait for `go` on stdin, then fire due timers until none is left to claim; counts the
    statements sent and the CPU time used (load-independent figures beside the wall time)."""
    sys.path.insert(0, str(harness.ROOT))
    from sqlalchemy import event

    from engine.background import timers
    from engine.store.uow import UnitOfWork

    app = harness.make_app(url)
    factory = harness.session_factory(app)
    statements = [0]
    backends: list[int] = []

    def count(*_args: Any) -> None:
        statements[0] += 1

    def remember_backend(dbapi_connection: Any, _record: Any) -> None:
        backends.append(dbapi_connection.info.backend_pid)

    event.listen(harness.app_engine(app), "before_cursor_execute", count)
    event.listen(harness.app_engine(app), "connect", remember_backend)
    print("ready", flush=True)
    sys.stdin.readline()
    started, cpu_started = time.perf_counter(), time.process_time()
    backend_started = {pid: _cpu_seconds(pid) for pid in backends}
    fired = errors = claims = 0
    while True:
        outcomes = timers.fire_due(lambda: UnitOfWork(factory), now=now)
        if not outcomes:
            break
        claims += len(outcomes)
        fired += sum(o.fired for o in outcomes)
        errors += sum(1 for o in outcomes if o.error)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    backend_cpu = sum(_cpu_seconds(pid) - backend_started.get(pid, 0.0) for pid in set(backends))
    return {
        "fired": fired,
        "claims": claims,
        "errors": errors,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "backend_cpu_seconds": backend_cpu,
        "statements": statements[0],
    }


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process on this machine (here: a PostgreSQL backend); 0 if gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _check(url: str, count: int) -> dict[str, int]:
    from sqlalchemy import create_engine
    from sqlalchemy import text

    engine = create_engine(url)
    with engine.connect() as connection:
        scalar = connection.scalar
        found = {
            "timers fired": scalar(text("SELECT count(*) FROM timer WHERE state = 'fired'")),
            "timers not fired": scalar(text("SELECT count(*) FROM timer WHERE state <> 'fired'")),
            "timer_fired events": scalar(
                text("SELECT count(*) FROM event WHERE kind = 'timer_fired'")
            ),
            "dossiers fired twice": scalar(
                text(
                    "SELECT count(*) FROM (SELECT dossier_id FROM event WHERE kind = 'timer_fired'"
                    " GROUP BY dossier_id HAVING count(*) > 1) twice"
                )
            ),
            "follow-up tasks": scalar(
                text("SELECT count(*) FROM task WHERE element_id = 'follow_up'")
            ),
        }
    engine.dispose()
    return {key: int(value or 0) for key, value in found.items()}


def measure(options: harness.Options) -> harness.Result:
    count = options.pick(2_000, TARGET_TIMERS)
    label = f"5 timer sweep, {SWEEPERS} processes"
    harness.section(f"5. timer sweep: {count:,} due timers, {SWEEPERS} sweeper processes")
    app = harness.build_app(options.database_url)
    template = _template(app)
    harness.app_engine(app).dispose()
    started = time.perf_counter()
    copy_dossier(options.database_url, template, count - 1)
    harness.say(
        f"{count:,} dossiers waiting on a timer, copied in {time.perf_counter() - started:.1f} s"
    )
    now = datetime.now().astimezone() + timedelta(hours=2)
    command = [harness.python(), __file__, "--sweeper", "--database-url", options.database_url]
    command += ["--now", now.isoformat()]
    processes = [
        subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(SWEEPERS)
    ]
    for process in processes:
        if process.stdout is None or process.stdout.readline().strip() != "ready":
            raise SystemExit("timers: a sweeper did not start")
    started = time.perf_counter()
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    reports = []
    for process in processes:
        out, _ = process.communicate(timeout=3600)
        if process.returncode != 0:
            raise SystemExit(f"timers: a sweeper failed (exit {process.returncode})")
        reports.append(json.loads(out.strip().splitlines()[-1]))
    elapsed = time.perf_counter() - started
    checks = _check(options.database_url, count)
    for number, report in enumerate(reports, 1):
        harness.say(
            f"sweeper {number}: fired {report['fired']:,} ({report['errors']} errors) in "
            f"{report['seconds']:.1f} s, CPU {report['cpu_seconds']:.1f} s (its PostgreSQL "
            f"backend {report['backend_cpu_seconds']:.1f} s), {report['statements']:,} statements"
        )
    fired = sum(r["fired"] for r in reports)
    harness.say(f"both: {fired:,} fired in {elapsed:.1f} s = {fired / elapsed:.0f} timers/s")
    if fired:
        cpu_ms = 1000 * sum(r["cpu_seconds"] for r in reports) / fired
        backend_ms = 1000 * sum(r["backend_cpu_seconds"] for r in reports) / fired
        per_timer = sum(r["statements"] for r in reports) / fired
        harness.say(
            f"per timer: {per_timer:.2f} statements, CPU {cpu_ms:.2f} ms in the sweeper and "
            f"{backend_ms:.2f} ms in PostgreSQL"
        )
    harness.say("database: " + ", ".join(f"{k} {v:,}" for k, v in checks.items()))
    exactly_once = (
        fired == count
        and checks["timers fired"] == count
        and checks["timers not fired"] == 0
        and checks["timer_fired events"] == count
        and checks["dossiers fired twice"] == 0
        and checks["follow-up tasks"] == count
        and not any(r["errors"] for r in reports)
    )
    projected = elapsed * TARGET_TIMERS / count
    figure = f"{count:,} in {elapsed:.1f} s"
    if count != TARGET_TIMERS:
        figure += f" (-> {TARGET_TIMERS:,} in ~{projected:.0f} s)"
    figure += ", exactly once" if exactly_once else ", NOT exactly once"
    return harness.Result(
        label,
        figure,
        f"{TARGET_TIMERS:,} in < {TARGET_SECONDS:.0f} s, each once",
        exactly_once and projected < TARGET_SECONDS,
    )


def run(options: harness.Options) -> list[harness.Result]:
    target = f"{TARGET_TIMERS:,} in < {TARGET_SECONDS:.0f} s, each once"
    try:
        from engine.background import timers  # noqa: F401
    except ImportError:
        return [harness.skipped("5 timer sweep", target, "engine/timers.py not available yet")]
    problem = harness.reachable(options.database_url)
    if problem is not None:
        return [harness.skipped("5 timer sweep", target, problem)]
    return [measure(options)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sweeper", action="store_true")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--now", required=True)
    args = parser.parse_args()
    print(json.dumps(sweeper(args.database_url, datetime.fromisoformat(args.now))))


if __name__ == "__main__":
    main()
