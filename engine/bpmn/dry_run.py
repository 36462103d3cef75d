"""The publish dry run: start the procedure in memory with sample data, run it to its first wait,
then complete each human step with sample form data (each option a decision reads), within a
budget, so that nothing that publishes fails on its first dossier.

A failure that is certain (a script or condition that raises on the data the receipt and the
forms produce) refuses publication, naming the element. A name read that no step has set yet
may still come with the submission data at reception, so that branch stops with advice (the
variables check names such names). Timers, messages, signals and service tasks stop their
branch: the dry run never waits and never calls out."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import field
from time import perf_counter
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowDataException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.checks.base import spec_label
from engine.bpmn.compaction import compact
from engine.bpmn.compiler import CompiledProcedure
from engine.bpmn.sandbox import SandboxEnvironment
from engine.bpmn.sandbox import SandboxScriptEngine
from engine.errors import Problem
from engine.rules import forms

MAX_STEPS = 400
"""Human steps completed, at most, over the whole dry run."""
MAX_TASKS = 2000
"""Engine tasks finished (and sub-processes started), at most, over the whole dry run: what is
not explored by then is left unexplored, never refused. Counted, not timed, so a diagram
publishes or not the same way on a busy machine."""
MAX_RUN_TASKS = 200
"""Engine tasks between two waits, at most: more is a loop with no human step in it (it gets
slower with each round, as SpiffWorkflow keeps every task), cut with advice."""
MAX_SECONDS = 3.0
"""Wall-clock safety net (a slow script), far above what the other budgets take."""
MAX_VISITS = 2
"""Times one step may be completed on a path (a loop is walked twice, then left)."""
MAX_VARIANTS = 16
"""Sample data sets per step, at most: every combination of the options the diagram reads,
or, when there are more, each option once."""
SAMPLE_APPLICANT = {
    "full_name": "Nguyễn Văn Mẫu",
    "id_number": "001200000001",
    "phone": "0912345678",
    "address": "Thôn 1, xã Mẫu",
    "email": "mau@example.vn",
    "date_of_birth": "1990-01-01",
    "relationship": "self",
}
"""An applicant with every field the reception API takes (api/schemas/work.py ApplicantIn)."""
SAMPLE_CHANNEL = "in_person"


class _NoCallOut(Exception):
    """A service task was reached: the dry run does not call other systems."""


class _OutOfBudget(Exception):
    """The dry run's budget ran out inside the engine (a loop with no human step in it)."""


@dataclass
class _Budget:
    deadline: float
    tasks_left: int = MAX_TASKS
    run_left: int = MAX_RUN_TASKS

    def set_off(self) -> None:
        """A run from one wait to the next begins."""
        self.run_left = MAX_RUN_TASKS


_BUDGET: ContextVar[_Budget] = ContextVar("dry_run_budget")


class _DryScriptEngine(SandboxScriptEngine):
    """The sandbox, but a service task stops the branch instead of calling out, and every
    script or condition first checks the dry run's deadline."""

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        self._within_budget()
        return super().evaluate(task, expression, external_context)

    def execute(self, task: Any, script: str, external_context: Any = None) -> Any:
        self._within_budget()
        return super().execute(task, script, external_context)

    def call_service(self, task: Any, **kwargs: Any) -> str:
        raise _NoCallOut(task.task_spec.bpmn_id)

    @staticmethod
    def _within_budget(task_done: bool = False) -> None:
        budget = _BUDGET.get()
        if task_done:
            budget.tasks_left -= 1
            budget.run_left -= 1
        if min(budget.tasks_left, budget.run_left) < 0 or perf_counter() > budget.deadline:
            raise _OutOfBudget


class _DryWorkflow(BpmnWorkflow):  # type: ignore[misc]
    """An instance that checks the dry run's deadline on each task finished and sub-process
    started, so a loop with no script in it (a call activity calling itself) is cut too."""

    def _task_completed_notify(self, task: Any) -> None:
        _DryScriptEngine._within_budget(task_done=True)
        super()._task_completed_notify(task)

    def create_subprocess(self, my_task: Any, spec_name: str) -> Any:
        _DryScriptEngine._within_budget(task_done=True)
        return super().create_subprocess(my_task, spec_name)


_ENGINE = _DryScriptEngine(environment=SandboxEnvironment())
Choice = tuple[str, int]
"""A human step (element id) and the index of the sample data it was completed with."""


@dataclass
class DryRunReport:
    problems: list[Problem] = field(default_factory=list)
    """Certain failures: publication is refused."""
    warnings: list[Problem] = field(default_factory=list)
    runs: int = 0
    """Paths followed (a path is copied at a step for each new sample data set)."""
    steps: int = 0
    """Human steps completed over all paths."""
    seconds: float = 0.0
    complete: bool = True
    """False when the budget ran out before every path was followed."""
    outside: dict[str, set[str]] = field(default_factory=dict, repr=False)


def dry_run(
    compiled: CompiledProcedure, deciding: set[str], outside: dict[str, set[str]]
) -> DryRunReport:
    """Run the procedure on sample data. `deciding` are the names the diagram reads (a form
    field among them is tried with each of its options); `outside` maps an element to the
    names it reads that no file provides (only the reception's data can): a failure where such
    a name is missing is not certain, and the variables check already names it.

    Depth first from the start: at each human step the run is copied once per sample data set
    not tried at that step yet (the first one only when all were), so every option of every
    step reached is tried once, without replaying the steps before it."""
    report = DryRunReport(outside=outside)
    started = perf_counter()
    budget = _Budget(started + MAX_SECONDS)
    token = _BUDGET.set(budget)
    try:
        _explore(compiled, deciding, report, budget)
    finally:
        _BUDGET.reset(token)
    report.seconds = perf_counter() - started
    return report


def _explore(
    compiled: CompiledProcedure, deciding: set[str], report: DryRunReport, budget: _Budget
) -> None:
    variants = {
        element_id: _variants(compiled.forms.get(step.form or "", []), deciding)
        for element_id, step in compiled.steps.items()
    }
    run = _Run(compiled, variants, report)
    workflow = _DryWorkflow(compiled.spec, compiled.subprocess_specs, script_engine=_ENGINE)
    ready = workflow.get_tasks(state=TaskState.READY)
    if not ready:
        return
    ready[0].data.update({"applicant": dict(SAMPLE_APPLICANT), "channel": SAMPLE_CHANNEL})
    report.runs = 1
    stack: list[tuple[BpmnWorkflow, tuple[Choice, ...]]] = []
    if run.advance(workflow, ()):
        stack.append((workflow, ()))
    while stack:
        if report.steps >= MAX_STEPS or budget.tasks_left <= 0 or perf_counter() > budget.deadline:
            report.complete = False
            break
        workflow, path = stack.pop()
        task = _ready_human(workflow, None)
        if task is None:
            continue
        element_id = str(task.task_spec.bpmn_id)
        if sum(1 for step, _ in path if step == element_id) >= MAX_VISITS:
            continue
        if not run.new_state(workflow, task, deciding):
            continue  # another path stood here with the same data the diagram reads
        fresh = [i for i in range(len(variants[element_id])) if (element_id, i) not in run.tried]
        chosen = fresh or [0]
        for number, index in enumerate(chosen):
            instance = workflow if number == len(chosen) - 1 else run.copy(workflow)
            run.tried.add((element_id, index))
            report.runs += 1 if number else 0
            choice = (*path, (element_id, index))
            if run.complete(instance, task.id, variants[element_id][index], choice):
                stack.append((instance, choice))


class _Run:
    """One dry run's shared state: what was tried, and how to copy an instance cheaply (the
    parsed specs and the script engine are shared, never copied)."""

    def __init__(
        self,
        compiled: CompiledProcedure,
        variants: dict[str, list[dict[str, Any]]],
        report: DryRunReport,
    ) -> None:
        self.variants = variants
        self.report = report
        self.tried: set[Choice] = set()
        self.seen: set[tuple[str, str]] = set()
        self.states: set[tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = set()
        self.shared: dict[int, Any] = {id(_ENGINE): _ENGINE}
        for spec in [compiled.spec, *compiled.subprocess_specs.values()]:
            self.shared[id(spec)] = spec
            self.shared.update((id(task_spec), task_spec) for task_spec in spec.task_specs.values())

    def new_state(self, workflow: BpmnWorkflow, task: Any, deciding: set[str]) -> bool:
        """Whether no path stood yet where `workflow` stands: the same human steps ready, and
        the step's data the same in every name the diagram reads."""
        ready = tuple(
            sorted(
                str(other.task_spec.bpmn_id)
                for other in _all_tasks(workflow)
                if other.state == TaskState.READY and getattr(other.task_spec, "manual", False)
            )
        )
        read = tuple(sorted((name, repr(task.data[name])) for name in deciding & set(task.data)))
        state = (ready, read)
        if state in self.states:
            return False
        self.states.add(state)
        return True

    def copy(self, workflow: BpmnWorkflow) -> BpmnWorkflow:
        compact(workflow)  # finished history makes a copy costly; a dossier drops it too
        copied: BpmnWorkflow = copy.deepcopy(workflow, dict(self.shared))
        return copied

    def advance(self, workflow: BpmnWorkflow, path: tuple[Choice, ...]) -> bool:
        """Run the engine until it waits; False (the failure judged) when it fails."""
        _BUDGET.get().set_off()
        try:
            workflow.do_engine_steps()
        except Exception as exc:  # whatever a designer's script raises, judged below
            _judge(workflow, exc, path, self.variants, self.report, self.seen)
            return False
        return True

    def complete(
        self, workflow: BpmnWorkflow, task_id: Any, data: dict[str, Any], path: tuple[Choice, ...]
    ) -> bool:
        """Complete a human step with `data` and run on; False when that fails."""
        task = workflow.get_task_from_id(task_id)
        task.data.update(data)
        self.report.steps += 1
        _BUDGET.get().set_off()
        try:
            task.run()
        except Exception as exc:  # a post-script, say
            _judge(workflow, exc, path, self.variants, self.report, self.seen)
            return False
        return self.advance(workflow, path)


def _ready_human(workflow: BpmnWorkflow, element_id: str | None) -> Any:
    for task in _all_tasks(workflow):
        if task.state == TaskState.READY and getattr(task.task_spec, "manual", False):
            if element_id is None or task.task_spec.bpmn_id == element_id:
                return task
    return None


def _all_tasks(workflow: BpmnWorkflow) -> Iterator[Any]:
    yield from workflow.tasks.values()
    for sub in workflow.subprocesses.values():
        yield from sub.tasks.values()


def _judge(
    workflow: BpmnWorkflow,
    exc: Exception,
    path: tuple[Choice, ...],
    variants: dict[str, list[dict[str, Any]]],
    report: DryRunReport,
    seen: set[tuple[str, str]],
) -> None:
    """A refusal for a certain failure; advice for a name nothing set yet, a gateway the
    sample data finds no way out of, or a run that reached no wait within MAX_RUN_TASKS; nothing
    for a service task reached."""
    causes = list(_chain(exc))
    task = getattr(exc, "task", None) or _task_in(exc) or _failed_task(workflow)
    spec = getattr(task, "task_spec", None)
    element_id = getattr(spec, "bpmn_id", None)
    label = spec_label(spec) if element_id else "?"
    if any(isinstance(cause, _OutOfBudget) for cause in causes):
        report.complete = False
        if _BUDGET.get().run_left < 0:  # a loop with no wait in it, not the whole budget
            report.warnings.append(
                Problem(
                    f"Chạy thử chạy {MAX_RUN_TASKS} bước máy mà không tới bước chờ nào; đang "
                    f"chạy {label}: có thể quy trình lặp mãi ở đây (a trial run ran "
                    f"{MAX_RUN_TASKS} engine tasks without a wait: the engine may loop here "
                    "without end).",
                    element_id=element_id,
                )
            )
        return
    if any(isinstance(cause, _NoCallOut) for cause in causes):
        return
    data = getattr(task, "data", None) or {}
    if report.outside.get(element_id or "", set()) - set(data):
        return  # it reads what only the reception's data can bring: the variables check says so
    if (element_id or "", type(exc).__name__) in seen:
        return
    seen.add((element_id or "", type(exc).__name__))
    missing = next((cause for cause in causes if isinstance(cause, NameError)), None)
    how = _how(path, variants)
    absent = next((cause for cause in causes if isinstance(cause, WorkflowDataException)), None)
    if absent is not None:  # an input or output the sample data lacks: the reception's may not
        report.warnings.append(
            Problem(
                f"Chạy thử {how}: {label} thiếu dữ liệu: {_reason(absent)}; hồ sơ sẽ dừng ở đây "
                "nếu dữ liệu cũng thiếu (a trial run stopped here: data it needs was not set).",
                element_id=element_id,
            )
        )
        return
    if missing is not None or getattr(exc, "error_type", None) == "NameError":
        name = getattr(missing, "name", None) or "?"
        report.warnings.append(
            Problem(
                f"Chạy thử {how}: {label} đọc biến '{name}' khi chưa bước nào đặt nó; hồ sơ sẽ "
                f"dừng ở đây trừ khi dữ liệu tiếp nhận có nó (a trial run stopped here: "
                f"'{name}' was not set yet).",
                element_id=element_id,
                extra={"variable": name},
            )
        )
        return
    reason = _reason(exc)
    if "No conditions satisfied" in reason:
        report.warnings.append(
            Problem(
                f"Chạy thử {how}: không nhánh nào của {label} đúng và cổng không có luồng mặc "
                "định (a trial run found no way out of this gateway).",
                element_id=element_id,
            )
        )
        return
    report.problems.append(
        Problem(
            f"Chạy thử {how} thì {label} lỗi: {reason}; hồ sơ đầu tiên sẽ dừng ở đây (a trial "
            "run on sample data fails at this element: the first dossier would stop here).",
            element_id=element_id,
        )
    )


def _how(path: tuple[Choice, ...], variants: dict[str, list[dict[str, Any]]]) -> str:
    """The sample data of the run, in words."""
    if not path:
        return "với dữ liệu tiếp nhận mẫu (with sample reception data)"
    steps = "; ".join(
        f"{element_id}: {_shown(variants[element_id][index])}" for element_id, index in path
    )
    return f"sau các bước ({steps})"


def _shown(data: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in data.items()) or "—"


def _reason(exc: Exception) -> str:
    cause = exc.__cause__ or exc.__context__
    if isinstance(exc, SpiffWorkflowException) and cause is not None:
        return f"{type(cause).__name__}: {cause}"
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    current: BaseException | None = exc
    while current is not None:
        yield current
        current = current.__cause__ or current.__context__


def _task_in(exc: BaseException) -> Any:
    """The workflow task SpiffWorkflow was working on when `exc` rose (deepest frame first):
    not every failure in SpiffWorkflow says which task it was."""
    frames = []
    trace = exc.__traceback__
    while trace is not None:
        frames.append(trace.tb_frame)
        trace = trace.tb_next
    for frame in reversed(frames):
        for name in ("my_task", "task"):
            candidate = frame.f_locals.get(name)
            if isinstance(candidate, Task):
                return candidate
    return None


def _failed_task(workflow: BpmnWorkflow) -> Any:
    return next((task for task in _all_tasks(workflow) if task.state == TaskState.ERROR), None)


def _variants(fields: list[forms.Field], deciding: set[str]) -> list[dict[str, Any]]:
    """Sample data for a form: each field its first sample value; the fields the diagram reads
    that offer a choice, each of their values."""
    base = {item.key: _samples(item)[0] for item in fields}
    choices = [
        (item.key, _samples(item))
        for item in fields
        if item.key in deciding and len(_samples(item)) > 1
    ]
    total = 1
    for _key, values in choices:
        total *= len(values)
    if total <= MAX_VARIANTS:
        return [
            {**base, **dict(zip([key for key, _ in choices], combination, strict=True))}
            for combination in itertools.product(*(values for _key, values in choices))
        ]
    variants = [base]
    for key, values in choices:
        variants.extend({**base, key: value} for value in values[1:])
    return variants


def _samples(item: forms.Field) -> list[Any]:
    """Values an officer can give the field, one per kind of answer."""
    if item.type == "checkbox":
        return [True, False]
    if item.type in ("select", "radio") and item.values:
        return list(item.values)
    if item.type in ("checklist", "taglist"):
        return [list(item.values[:1])]
    if item.type == "number":
        low = item.validate.get("min")
        return [low if isinstance(low, int | float) else 1]
    if item.type == "datetime":
        return [
            {"datetime": "2026-01-15T09:00", "time": "09:00"}.get(item.subtype or "", "2026-01-15")
        ]
    return ["1"]
