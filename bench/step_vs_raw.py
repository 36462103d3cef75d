"""One task completion measured three ways, in one process, on the same diagrams and form data.

- API:    POST /api/v1/tasks/<id>/complete through the Flask test client (in-process WSGI, no
          socket): token check, form validation, row lock, engine step, SQL writes, commit, JSON.
- engine: engine.bpmn.serializer.load -> engine.bpmn.runtime.complete -> serializer.dump
          (our spec-less state, sandboxed script engine; no HTTP, no database).
- raw:    the plain SpiffWorkflow 3.2.0 way: deserialize_json -> READY manual task ->
          task.data.update(form) -> task.run() -> do_engine_steps() -> serialize_json, with the
          stock SPIFF_CONFIG serializer (spec inside the state).

Every layer walks the same path of the same procedure folder with the same form data, the same
number of steps; the first WARMUP steps of each layer are run but not counted. The layers take
turns one instance at a time (see measure_case).
"""

from __future__ import annotations

import itertools
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from importlib import metadata
from pathlib import Path
from typing import Any

import harness
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.engine import make_url

from api.database import EXTENSION_KEY
from engine.bpmn import runtime
from engine.bpmn import serializer
from engine.bpmn.compiler import compile_procedure
from engine.catalogue.folders import read_folder
from engine.rules import forms

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
WARMUP = 20
TARGET_RATIO = 3.0
API = "API (HTTP + DB)"
ENGINE = "engine (no HTTP/DB)"
RAW = "raw SpiffWorkflow"
COMPETENT_UNIT = "C01"  # admin receives at the province, so it names the commune that decides
APPLICANT = {
    "full_name": "Nguyễn Thị Bình",
    "id_number": "001234567890",
    "phone": "0912345678",
    "address": "Số 12 đường Lê Lợi, phường Tân Hòa",
}


@dataclass(frozen=True)
class Step:
    element_id: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Case:
    code: str
    label: str
    channel: str
    path: tuple[Step, ...]

    @property
    def folder(self) -> Path:
        return PROCESSES / self.code

    def start_data(self) -> dict[str, Any]:
        """What engine.dossiers.receive.submit hands to the first task of a new workflow."""
        return {"applicant": dict(APPLICANT), "channel": self.channel}


CASES = (
    Case(
        code="social_allowance",
        label="social_allowance (4 steps, approve path)",
        channel="in_person",
        path=(
            Step(
                "verify_beneficiary",
                {
                    "beneficiary_group": "elderly_80",
                    "verified_in_population_db": True,
                    "eligible": "yes",
                    "note": "Đã đối chiếu CSDL quốc gia về dân cư, đủ 80 tuổi.",
                },
            ),
            Step(
                "guide_online_submission",
                {"submission_channel": "assisted", "portal_reference": "DVC-2025-000123"},
            ),
            Step(
                "process_dossier",
                {"decision": "approve", "monthly_amount": 540000, "start_month": "2025-07"},
            ),
            Step("return_result", {"delivery_method": "in_person", "note": "Đã trả tận tay."}),
        ),
    ),
    Case(
        code="newborn_bundle",
        label="newborn_bundle (5 steps, parallel)",
        channel="online",
        path=(
            Step("check_dossier", {"dossier_complete": "yes", "note": "Hồ sơ đầy đủ."}),
            Step(
                "register_birth",
                {"birth_registration_number": "125/2025", "child_personal_id": "001225012345"},
            ),
            Step(
                "register_residence",
                {
                    "residence_address": "Số 12 đường Lê Lợi, phường Tân Hòa",
                    "residence_notice_number": "TB-0457",
                },
            ),
            Step(
                "issue_health_insurance_card",
                {"social_security_number": "0123456789", "card_valid_from": "2025-07-01"},
            ),
            Step(
                "return_results",
                {"delivery_method": "in_person", "recipient_name": "Nguyễn Thị Bình"},
            ),
        ),
    ),
)


@dataclass
class Row:
    case: Case
    layer: str
    samples_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Report:
    steps: int
    database: str
    dialect: str
    server_version: str
    rows: list[Row] = field(default_factory=list)
    seconds: float = 0.0
    round_trips: dict[str, tuple[int, list[int]]] = field(default_factory=dict)
    """PostgreSQL only: case code -> (receipt, each completion along the path)."""


# --- form data -------------------------------------------------------------------------------


def check_form_data(case: Case) -> None:
    """Fail early unless each step's data passes the step's form exactly as given (nothing dropped),
    so the raw and engine layers run the very data the API stores."""
    _, files = read_folder(case.folder)
    compiled = compile_procedure(files)
    for step in case.path:
        human = compiled.steps[step.element_id]
        cleaned = forms.validate(compiled.forms.get(human.form) if human.form else None, step.data)
        if cleaned != step.data:
            raise SystemExit(f"{case.code}/{step.element_id}: form data changed by validation")


def _step_positions(case: Case) -> Iterator[tuple[bool, Step]]:
    """(new instance?, step), endlessly: instance after instance along the case's path."""
    while True:
        for index, step in enumerate(case.path):
            yield index == 0, step


def _check_finished(case: Case, step: Step, *, finished: bool) -> None:
    """After the path's last step the instance must be over, and not a step before."""
    if finished != (step is case.path[-1]):
        state = "finished" if finished else "still waiting"
        raise SystemExit(f"{case.code}: {state} after {step.element_id}; the path is wrong")


# --- (a) through the HTTP API ------------------------------------------------------------------


def _receive(client: Any, headers: dict[str, str], case: Case) -> dict[str, int]:
    body = {
        "procedure_code": case.code,
        "channel": case.channel,
        "unit": COMPETENT_UNIT,
        "applicant": APPLICANT,
    }
    response = client.post("/api/v1/dossiers", json=body, headers=headers)
    if response.status_code != 201:
        raise SystemExit(f"receiving a {case.code} dossier failed: {response.json}")
    return {task["element_id"]: task["id"] for task in response.json["tasks"]}


def api_steps(client: Any, headers: dict[str, str], case: Case) -> Iterator[float]:
    """ms per POST /api/v1/tasks/<id>/complete; receiving the dossier is not timed."""
    open_tasks: dict[str, int] = {}
    for new_instance, step in _step_positions(case):
        if new_instance:
            open_tasks = _receive(client, headers, case)
        url = f"/api/v1/tasks/{open_tasks.pop(step.element_id)}/complete"
        started = time.perf_counter()
        response = client.post(url, json={"data": step.data}, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(
                f"{case.code}/{step.element_id}: {response.status_code} {response.json}"
            )
        open_tasks.update({t["element_id"]: t["id"] for t in response.json["next_tasks"]})
        _check_finished(case, step, finished=not open_tasks)
        yield elapsed


def api_samples(client: Any, headers: dict[str, str], case: Case, total: int) -> list[float]:
    """`total` API steps in a row (handy for profiling)."""
    return list(itertools.islice(api_steps(client, headers, case), total))


def round_trips(
    app: Any, client: Any, headers: dict[str, str], case: Case
) -> tuple[int, list[int]]:
    """(receipt, each completion) for one instance walked along the case's path."""
    counter = harness.RoundTrips(app.extensions[EXTENSION_KEY].kw["bind"])
    try:
        before = counter.count()
        open_tasks = _receive(client, headers, case)
        receipt, steps = counter.count() - before, []
        for step in case.path:
            before = counter.count()
            url = f"/api/v1/tasks/{open_tasks.pop(step.element_id)}/complete"
            response = client.post(url, json={"data": step.data}, headers=headers)
            steps.append(counter.count() - before)
            open_tasks.update({t["element_id"]: t["id"] for t in response.json["next_tasks"]})
    finally:
        counter.close()
    return receipt, steps


# --- (b) raw SpiffWorkflow -------------------------------------------------------------------


def raw_steps(case: Case) -> Iterator[float]:
    """ms per stateless step with the stock serializer; the spec is parsed once, up front."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_files([str(path) for path in sorted(case.folder.glob("*.bpmn"))])
    spec = parser.get_spec(case.code)
    subprocess_specs = parser.get_subprocess_specs(case.code)
    stock = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    state = ""
    for new_instance, step in _step_positions(case):
        if new_instance:
            workflow = BpmnWorkflow(spec, subprocess_specs)
            workflow.get_tasks(state=TaskState.READY)[0].data.update(case.start_data())
            workflow.do_engine_steps()
            state = stock.serialize_json(workflow)
        started = time.perf_counter()
        workflow = stock.deserialize_json(state)
        task = workflow.get_next_task(state=TaskState.READY, manual=True, spec_name=step.element_id)
        task.data.update(step.data)
        task.run()
        workflow.do_engine_steps()
        state = stock.serialize_json(workflow)
        elapsed = (time.perf_counter() - started) * 1000
        _check_finished(case, step, finished=workflow.completed)
        yield elapsed


# --- (c) our engine, no HTTP, no database ----------------------------------------------------


def engine_steps(case: Case) -> Iterator[float]:
    """ms per load -> runtime.complete -> dump; finding the task id is what the task row holds."""
    meta, files = read_folder(case.folder)
    compiled = compile_procedure(files, meta.process_id)
    state = ""
    waiting: dict[str, str] = {}
    for new_instance, step in _step_positions(case):
        if new_instance:
            workflow = runtime.start(compiled, case.start_data())
            state = serializer.dump(workflow)
            waiting = _waiting(workflow, compiled)
        spiff_task_id = waiting.pop(step.element_id)
        started = time.perf_counter()
        workflow = serializer.load(state, compiled)
        runtime.complete(workflow, spiff_task_id, step.data)
        state = serializer.dump(workflow)
        elapsed = (time.perf_counter() - started) * 1000
        waiting = _waiting(workflow, compiled)
        _check_finished(case, step, finished=runtime.is_completed(workflow))
        yield elapsed


def _waiting(workflow: BpmnWorkflow, compiled: Any) -> dict[str, str]:
    return {r.step.element_id: r.spiff_task_id for r in runtime.ready_steps(workflow, compiled)}


# --- the whole run ---------------------------------------------------------------------------


def _server_version(app: Any) -> tuple[str, str]:
    engine = app.extensions[EXTENSION_KEY].kw["bind"]
    with engine.connect():
        info = engine.dialect.server_version_info or ()
    return engine.dialect.name, ".".join(str(part) for part in info)


def measure_case(client: Any, headers: dict[str, str], case: Case, total: int) -> list[Row]:
    """The three layers take turns, one whole instance each, so a burst of load from elsewhere
    on the machine hits all of them alike and the ratios stay fair."""
    layers: dict[str, Iterator[float]] = {
        API: api_steps(client, headers, case),
        ENGINE: engine_steps(case),
        RAW: raw_steps(case),
    }
    samples: dict[str, list[float]] = {layer: [] for layer in layers}
    while len(samples[RAW]) < total:
        chunk = min(len(case.path), total - len(samples[RAW]))
        for layer, steps in layers.items():
            samples[layer].extend(itertools.islice(steps, chunk))
    return [Row(case, layer, values[WARMUP:]) for layer, values in samples.items()]


def measure(steps: int, database_url: str | None) -> Report:
    started = time.perf_counter()
    for case in CASES:
        check_form_data(case)
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as scratch:
        url = database_url or f"sqlite:///{Path(scratch) / 'bench.db'}"
        app = harness.build_app(url)
        dialect, version = _server_version(app)
        report = Report(steps, make_url(url).render_as_string(hide_password=True), dialect, version)
        client = app.test_client()
        headers = harness.login(client)
        for case in CASES:
            report.rows.extend(measure_case(client, headers, case, WARMUP + steps))
            if dialect == "postgresql":
                report.round_trips[case.code] = round_trips(app, client, headers, case)
        app.extensions[EXTENSION_KEY].kw["bind"].dispose()
    report.seconds = time.perf_counter() - started
    return report


# --- output ----------------------------------------------------------------------------------


def environment_lines(report: Report) -> list[str]:
    db = report.dialect + (f" {report.server_version}" if report.server_version else "")
    return [
        f"Python {platform.python_version()} ({sys.implementation.name}), "
        f"cores (os.cpu_count()): {os.cpu_count()}, {platform.machine()}",
        f"SpiffWorkflow {metadata.version('SpiffWorkflow')}, Flask {metadata.version('Flask')}, "
        f"SQLAlchemy {metadata.version('SQLAlchemy')}",
        f"database: {db}  ({report.database})",
        "HTTP: Flask test client, in-process WSGI (no socket, no server); one user (admin), "
        "token auth",
        f"steps per row: {report.steps} timed after {WARMUP} warm-up steps; layers take turns "
        "one instance at a time; time.perf_counter; gc enabled",
    ]


def table_lines(report: Report) -> list[str]:
    header = f"{'case':<42} {'layer':<20} {'steps':>5} {'median ms':>10} {'p95 ms':>8} {'x raw':>7}"
    lines = [header, "-" * len(header)]
    for case in CASES:
        rows = [row for row in report.rows if row.case is case]
        raw = next(row for row in rows if row.layer == RAW)
        for row in rows:
            lines.append(
                f"{case.label:<42} {row.layer:<20} {len(row.samples_ms):>5} "
                f"{row.median:>10.2f} {row.p95:>8.2f} {row.median / raw.median:>6.2f}x"
            )
    return lines


def verdict_lines(report: Report) -> list[str]:
    lines = []
    for case in CASES:
        rows = {row.layer: row for row in report.rows if row.case is case}
        ratio = rows[API].median / rows[RAW].median
        met = "met" if ratio <= TARGET_RATIO else "NOT met"
        lines.append(
            f"{case.code}: API median = {ratio:.2f}x raw step "
            f"(target <= {TARGET_RATIO:.0f}x: {met})"
        )
        if case.code in report.round_trips:
            receipt, steps = report.round_trips[case.code]
            lines.append(
                f"{case.code}: round trips to PostgreSQL per completion along the path: "
                f"{', '.join(map(str, steps))} (receipt: {receipt})"
            )
    lines.append(f"total run time: {report.seconds:.1f} s")
    return lines


def render(report: Report) -> str:
    return "\n".join(
        [*environment_lines(report), "", *table_lines(report), "", *verdict_lines(report)]
    )


def results(report: Report) -> list[harness.Result]:
    found = []
    for case in CASES:
        rows = {row.layer: row for row in report.rows if row.case is case}
        ratio = rows[API].median / rows[RAW].median
        found.append(
            harness.Result(
                f"1a API step vs raw, {case.code} ({report.dialect})",
                f"API {rows[API].median:.2f} ms / raw {rows[RAW].median:.2f} ms = {ratio:.2f}x",
                f"<= {TARGET_RATIO:.0f}x raw",
                ratio <= TARGET_RATIO,
            )
        )
    return found


def run(options: harness.Options) -> list[harness.Result]:
    """On SQLite, then on the PostgreSQL database of the run (unless it cannot be reached)."""
    steps = options.steps or options.pick(300, 1000)
    found = []
    urls = [options.sqlite_url("step_vs_raw")]
    problem = harness.reachable(options.database_url)
    if problem is None:
        urls.append(options.database_url)
    for url in urls:
        harness.section(
            f"1a. API step vs raw SpiffWorkflow step ({make_url(url).get_backend_name()})"
        )
        report = measure(steps, url)
        harness.say(render(report))
        found.extend(results(report))
    if problem is not None:
        found.append(harness.skipped("1a API step vs raw (postgresql)", "<= 3x raw", problem))
    return found
