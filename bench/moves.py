"""8. Version moves: a bulk migration of running dossiers, and the diff of two large versions.

Migration: a generated procedure (check -> verify -> sign) gets one dossier through the engine,
copied with COPY (bench/timers.copy_dossier) until N dossiers wait at `check`; version 2 drops
`verify`. A job for all of them is written by engine.work.migrations.start and run by two worker
processes sharing it (`flask migrations`, as the scheduler of each API process runs it);
meanwhile this process asks
`GET /api/v1/tasks` through the app in a loop, to show the workers still answer. Timed: the
worker's run, from start to the job's `done`. Checked: every dossier on version 2, one
`migrated` event each. Target: 10,000 in < 60 s.

Diff: two versions of the 200-element diagram of bench/publish.py, the second with every fifth
task renamed, compared through
`GET /api/v1/procedures/<code>/diff` (median of 20 after a warm-up; parsed specs cached, as in
use). Target: < 200 ms.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from typing import Any

import harness
import publish as large
import timers

TARGET_DOSSIERS = 10_000
TARGET_SECONDS = 60.0
TARGET_DIFF_MS = 200.0
WORKERS = 2
"""Worker processes sharing the job, as two API processes' schedulers would."""
CODE = "bench_moves"
DIFF_CODE = large.CODE


def _actor(app: Any, username: str) -> Any:
    from sqlalchemy import select

    from engine.access.accounts import load_actor
    from engine.models import User

    with harness.session_factory(app)() as session:
        return load_actor(session, session.scalar(select(User.id).where(User.username == username)))


def _publish(app: Any, code: str, files: dict[str, bytes]) -> None:
    from engine.catalogue.procedures import ProcedureMetadata
    from engine.catalogue.procedures import publish
    from engine.store.uow import UnitOfWork

    meta = ProcedureMetadata(
        code, "Thử chuyển phiên bản", "Version moves", "civil_status", 20, code
    )
    with UnitOfWork(harness.session_factory(app)) as uow:
        publish(uow, _actor(app, "thietke"), meta, files)


def _template(app: Any) -> int:
    from engine.dossiers.receive import Submission
    from engine.dossiers.receive import submit
    from engine.store.uow import UnitOfWork
    from tests.support.move_diagrams import Step
    from tests.support.move_diagrams import chain

    _publish(app, CODE, chain(CODE, [Step("check"), Step("verify"), Step("sign")]))
    applicant = {"full_name": "Phạm Văn Chuyển", "id_number": "001234567894"}
    with UnitOfWork(harness.session_factory(app)) as uow:
        dossier = submit(
            uow, _actor(app, "admin"), Submission(CODE, applicant, "in_person", {}, "C01")
        )
    _publish(app, CODE, chain(CODE, [Step("check"), Step("sign")]))
    return dossier.id


def migration(options: harness.Options) -> harness.Result:
    from sqlalchemy import func
    from sqlalchemy import select

    from engine.models import Dossier
    from engine.models import Event
    from engine.models import MigrationJob
    from engine.models import ProcedureVersion
    from engine.store.uow import UnitOfWork
    from engine.work import migrations

    count = options.pick(2_000, TARGET_DOSSIERS)
    label = "8a bulk version move"
    harness.section(f"8a. moving {count:,} running dossiers to a new version")
    app = harness.build_app(options.database_url)
    template = _template(app)
    timers.copy_dossier(options.database_url, template, count - 1, ("workflow_state", "task"))
    factory = harness.session_factory(app)
    with UnitOfWork(factory) as uow:
        job_id = migrations.start(uow, _actor(app, "thietke"), CODE, to=2)
    env = {**os.environ, "DATABASE_URL": options.database_url, "SECRET_KEY": harness.SECRET}
    client = app.test_client()
    headers = harness.login(client)
    started = time.perf_counter()
    workers = [
        subprocess.Popen(  # noqa: S603 - our own CLI
            [harness.python(), "-m", "flask", "--app", "wsgi", "migrations"],
            cwd=harness.ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(WORKERS)
    ]
    answers = []
    while any(worker.poll() is None for worker in workers):
        asked = time.perf_counter()
        response = client.get("/api/v1/tasks?scope=queue", headers=headers)
        answers.append((time.perf_counter() - asked) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"moves: the API answered {response.status_code} during the move")
        time.sleep(1.0)
    elapsed = time.perf_counter() - started
    if any(worker.returncode != 0 for worker in workers):
        raise SystemExit("moves: a worker failed")
    with factory() as session:
        job = session.get_one(MigrationJob, job_id)
        on_two = session.scalar(
            select(func.count())
            .select_from(Dossier)
            .join(ProcedureVersion, ProcedureVersion.id == Dossier.procedure_version_id)
            .where(ProcedureVersion.number == 2, Dossier.procedure_id == job.procedure_id)
        )
        events = session.scalar(select(func.count()).where(Event.kind == "migrated"))
    harness.say(
        f"{on_two:,} of {count:,} dossiers on version 2, {events:,} migrated events, job "
        f"{job.state}, in {elapsed:.1f} s = {count / elapsed:.0f} dossiers/s"
    )
    if answers:
        harness.say(
            f"GET /api/v1/tasks meanwhile: {len(answers)} answers, {harness.summary_ms(answers)}"
        )
    harness.app_engine(app).dispose()
    projected = elapsed * TARGET_DOSSIERS / count
    figure = f"{count:,} in {elapsed:.1f} s"
    if count != TARGET_DOSSIERS:
        figure += f" (-> {TARGET_DOSSIERS:,} in ~{projected:.0f} s)"
    complete = on_two == count and events == count and job.state == "done"
    return harness.Result(
        label,
        figure if complete else figure + ", NOT all moved once",
        f"{TARGET_DOSSIERS:,} in < {TARGET_SECONDS:.0f} s",
        complete and projected < TARGET_SECONDS,
    )


def _changed(files: dict[str, bytes]) -> dict[str, bytes]:
    """Every fifth task renamed."""
    name = next(key for key in files if key.endswith(".bpmn"))
    text = files[name].decode()
    for number in range(1, 200, 5):
        text = text.replace(f'name="Xử lý bước {number}"', f'name="Xử lý lại bước {number}"')
    return {**files, name: text.encode()}


def diff(options: harness.Options) -> harness.Result:
    harness.section("8b. the diff of two 200-element versions")
    app = harness.build_app(options.sqlite_url("diff"))
    diagram = large.build()
    files = large.files(diagram)
    _publish(app, DIFF_CODE, files)
    _publish(app, DIFF_CODE, _changed(files))
    client = app.test_client()
    headers = harness.login(client)
    url = f"/api/v1/procedures/{DIFF_CODE}/diff?from=1&to=2"
    first = client.get(url, headers=headers)
    if first.status_code != 200:
        raise SystemExit(f"moves: diff answered {first.status_code}: {first.json}")
    times = []
    for _ in range(20):
        started = time.perf_counter()
        client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
    median = statistics.median(times)
    body = first.json
    harness.say(
        f"{diagram.size} elements; changed {len(body['changed'])}, added {len(body['added'])}, "
        f"removed {len(body['removed'])}; {harness.summary_ms(times)}"
    )
    harness.app_engine(app).dispose()
    return harness.Result(
        "8b diff of 200-element versions",
        f"median {median:.0f} ms",
        f"< {TARGET_DIFF_MS:.0f} ms",
        median < TARGET_DIFF_MS,
    )


def run(options: harness.Options) -> list[harness.Result]:
    results = [diff(options)]
    target = f"{TARGET_DOSSIERS:,} in < {TARGET_SECONDS:.0f} s"
    problem = harness.reachable(options.database_url)
    if problem is not None:
        return [*results, harness.skipped("8a bulk version move", target, problem)]
    return [*results, migration(options)]
