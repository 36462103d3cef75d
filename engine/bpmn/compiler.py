"""Turn a procedure's files into a parsed, validated spec — once per content hash."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from threading import Lock
from types import CodeType
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.mixins.service_task import ServiceTask

from engine.bpmn.checks import end_outcome
from engine.bpmn.checks import lane_role
from engine.bpmn.collaboration import collaboration_specs
from engine.bpmn.connectors.registry import refusals
from engine.bpmn.problems import problem_from
from engine.bpmn.sandbox import ScriptRefused
from engine.bpmn.sandbox import compile_expression
from engine.bpmn.sandbox import compile_script
from engine.bpmn.xml import parse_untrusted
from engine.errors import DiagramInvalid
from engine.errors import Problem
from engine.errors import UnsafeXml
from engine.rules import forms
from engine.rules.calendar import TimeLimit
from engine.rules.calendar import parse_time_limit

BPMN_SUFFIX = ".bpmn"
DMN_SUFFIX = ".dmn"
FORM_SUFFIX = ".form.json"


@dataclass(frozen=True)
class HumanStep:
    element_id: str
    name: str
    role: str
    form: str | None
    time_limit: TimeLimit | None = None
    """From the task's `time_limit` property ("2d", "0d" = same day, "4h"); None: no limit."""


@dataclass
class CompiledProcedure:
    content_hash: str
    process_id: str
    spec: Any
    subprocess_specs: dict[str, Any]
    steps: dict[str, HumanStep]
    forms: dict[str, list[forms.Field]]
    form_schemas: dict[str, Any]
    tables: dict[str, bytes] = field(default_factory=dict)
    """The decision tables (.dmn files), for running one outside a dossier's workflow."""


def content_hash(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return digest.hexdigest()


def compile_procedure(files: dict[str, bytes], process_id: str | None = None) -> CompiledProcedure:
    """Parse and validate; raise DiagramInvalid listing every problem found."""
    parser = SpiffBpmnParser()
    problems: list[Problem] = []
    parsed_forms, schemas = _load_forms(files, problems)
    for name, content in sorted(files.items()):
        if name.endswith(BPMN_SUFFIX) or name.endswith(DMN_SUFFIX):
            _add_xml(parser, name, content, problems)
        elif not name.endswith(FORM_SUFFIX):
            problems.append(
                Problem("Loại tệp không được hỗ trợ (.bpmn, .dmn, .form.json).", file=name)
            )
    if not any(name.endswith(BPMN_SUFFIX) for name in files):
        problems.append(Problem("Cần ít nhất một tệp .bpmn (at least one BPMN file)."))
    if problems:
        raise DiagramInvalid("the procedure files are not valid", problems)
    chosen = _choose_process(parser, process_id)
    try:
        if chosen in parser.collaborations:
            spec, subprocess_specs = collaboration_specs(parser, chosen)
        else:
            spec = parser.get_spec(chosen)
            subprocess_specs = parser.get_subprocess_specs(chosen)
    except Exception as exc:  # SpiffWorkflow's refusals, and what escapes its parser
        raise DiagramInvalid("the diagram cannot be executed", [problem_from(exc)]) from exc
    steps = _check_specs([spec, *subprocess_specs.values()], parsed_forms, problems)
    if problems:
        raise DiagramInvalid("the diagram does not pass validation", problems)
    _connect_loop_children([spec, *subprocess_specs.values()])
    return CompiledProcedure(
        content_hash=content_hash(files),
        process_id=chosen,
        spec=spec,
        subprocess_specs=subprocess_specs,
        steps=steps,
        forms=parsed_forms,
        form_schemas=schemas,
        tables={name: content for name, content in files.items() if name.endswith(DMN_SUFFIX)},
    )


def _connect_loop_children(specs: list[Any]) -> None:
    """A multi-instance or loop task learns that a child finished through an event it connects
    on the child's spec when it creates the child, and SpiffWorkflow's spec deserializer
    connects it again. Our specs are parsed, not deserialized, and a child may have been
    created by another worker or before a restart: connect every one here, once per parsed
    spec (the handler takes the child's own workflow, so instances sharing the spec are
    told apart)."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if not isinstance(task_spec, LoopTask):
                continue
            child = spec.task_specs[task_spec.task_spec]
            if not child.completed_event.is_connected(task_spec.merge_child):
                child.completed_event.connect(task_spec.merge_child)


def _load_forms(
    files: dict[str, bytes], problems: list[Problem]
) -> tuple[dict[str, list[forms.Field]], dict[str, Any]]:
    parsed: dict[str, list[forms.Field]] = {}
    schemas: dict[str, Any] = {}
    for name, content in files.items():
        if not name.endswith(FORM_SUFFIX):
            continue
        try:
            parsed[name] = forms.parse_form(content)
            schemas[name] = json.loads(content)
        except (ValueError, UnicodeDecodeError) as exc:
            problems.append(Problem(f"Biểu mẫu không hợp lệ: {exc}", file=name))
    return parsed, schemas


def _add_xml(parser: SpiffBpmnParser, name: str, content: bytes, problems: list[Problem]) -> None:
    root = None
    try:
        root = parse_untrusted(content, name)
        if name.endswith(DMN_SUFFIX):
            parser.add_dmn_xml(root, filename=name)
        else:
            if etree.QName(root).localname != "definitions":
                raise DiagramInvalid(
                    name, [Problem("Không phải tệp BPMN (root is not definitions).", file=name)]
                )
            parser.add_bpmn_xml(root, filename=name)
    except UnsafeXml:
        raise
    except DiagramInvalid as exc:
        problems.extend(exc.problems)
    except Exception as exc:  # SpiffWorkflow's refusals, and what escapes its parser
        problems.append(problem_from(exc, root, name))


def _choose_process(parser: SpiffBpmnParser, process_id: str | None) -> str:
    """The process named, or the files' only executable process; a collaboration (named, or
    the only one when the files hold several executable processes) runs its pools together."""
    executable: list[str] = parser.get_process_ids()
    if len(executable) > 1 and not process_id and len(parser.collaborations) == 1:
        process_id = next(iter(parser.collaborations))
    if process_id:
        if process_id not in executable and process_id not in parser.collaborations:
            raise DiagramInvalid(
                f"process {process_id!r} is not an executable process in the files",
                [
                    Problem(
                        f"Không tìm thấy quy trình '{process_id}' (isExecutable).",
                        element_id=process_id,
                    )
                ],
            )
        return process_id
    if len(executable) != 1:
        raise DiagramInvalid(
            f"name the process to run: the files hold {len(executable)} executable processes",
            [Problem("Cần đúng một quy trình isExecutable=true, hoặc nêu process_id.")],
        )
    return executable[0]


def _check_specs(
    specs: list[Any], parsed_forms: dict[str, list[forms.Field]], problems: list[Problem]
) -> dict[str, HumanStep]:
    steps: dict[str, HumanStep] = {}
    for spec in specs:
        for task_spec in spec.task_specs.values():
            _check_conditions(task_spec, problems)
            _check_decisions(task_spec, problems)
            if isinstance(task_spec, ScriptTask):
                _check_source(task_spec, task_spec.script, compile_script, problems)
            elif isinstance(task_spec, EndEvent):
                _check_outcome(task_spec, problems)
            elif isinstance(task_spec, ServiceTask):
                _check_service(task_spec, problems)
            elif getattr(task_spec, "manual", False):  # user, manual and plain tasks
                step = _human_step(task_spec, parsed_forms, problems)
                if step is not None:
                    steps[step.element_id] = step
    return steps


def _human_step(
    task_spec: Any, parsed_forms: dict[str, list[forms.Field]], problems: list[Problem]
) -> HumanStep | None:
    element_id = task_spec.bpmn_id
    role = task_spec.lane
    form = (task_spec.extensions.get("properties") or {}).get("form")
    refused = lane_role.problem(task_spec)
    if refused is not None:
        problems.append(refused)
        return None
    if form is not None and form not in parsed_forms:
        problems.append(
            Problem(f"Thiếu biểu mẫu '{form}' (form file missing).", element_id=element_id)
        )
        return None
    limit = _step_limit(task_spec, problems)
    return HumanStep(element_id, task_spec.bpmn_name or element_id, role, form, limit)


def _step_limit(task_spec: Any, problems: list[Problem]) -> TimeLimit | None:
    """The step's limit; a malformed one is a problem naming the task (publication stops)."""
    raw = (task_spec.extensions.get("properties") or {}).get("time_limit")
    if raw is None:
        return None
    try:
        return parse_time_limit(str(raw))
    except ValueError:
        problems.append(
            Problem(
                f"Thời hạn '{raw}' không hợp lệ: ghi số ngày làm việc ('2d', '0d' = trong ngày, "
                "tối đa 365d) hoặc số giờ làm việc ('4h', 1-2920h) (time_limit must look like "
                "'2d' or '4h').",
                element_id=task_spec.bpmn_id,
            )
        )
        return None


def _check_conditions(task_spec: Any, problems: list[Problem]) -> None:
    for condition, _target in getattr(task_spec, "cond_task_specs", None) or []:
        source = condition.args[0] if condition is not None and condition.args else None
        if isinstance(source, str):
            _check_source(task_spec, source, compile_expression, problems)


def _check_decisions(task_spec: Any, problems: list[Problem]) -> None:
    """A business rule task's decision table runs its cells as expressions: check them now, so a
    bad cell stops publication instead of failing a dossier later."""
    table = getattr(getattr(task_spec, "dmnEngine", None), "decision_table", None)
    if table is None:
        return
    cells = [(item.id, item.expression) for item in table.inputs if item.expression]
    for rule in table.rules:
        cells += [(entry.id, entry.text) for entry in rule.outputEntries if entry.text]
        cells += [(entry.id, _as_test(lhs)) for entry in rule.inputEntries for lhs in entry.lhs]
    for element_id, source in cells:
        if not source or not source.strip():
            continue
        try:
            compile_expression(source)
        except (ScriptRefused, SyntaxError, RecursionError) as exc:  # or nested too deep
            problems.append(Problem(f"Biểu thức không được phép: {exc}", element_id=element_id))


def _as_test(lhs: str | None) -> str | None:
    """An input cell is a value (`"online"`) or a test on the input (`> 5`, `4 < ? < 6`)."""
    if lhs is None or not lhs.strip():
        return None
    text = lhs.replace("?", "dmninput")
    try:
        compile_expression(text)
    except (ScriptRefused, SyntaxError, RecursionError):
        return f"dmninput {text}"
    return text


def _check_source(
    task_spec: Any,
    source: str | None,
    compile_fn: Callable[[str], CodeType],
    problems: list[Problem],
) -> None:
    if not source or not source.strip():
        problems.append(
            Problem(
                "Mã lệnh trống: viết lệnh cho bước này hoặc đổi nó thành công việc khác "
                "(the script is empty).",
                element_id=task_spec.bpmn_id,
            )
        )
        return
    try:
        compile_fn(source)
    except (ScriptRefused, SyntaxError, RecursionError) as exc:  # or nested too deep
        problems.append(Problem(f"Mã lệnh không được phép: {exc}", element_id=task_spec.bpmn_id))


def _check_service(task_spec: Any, problems: list[Problem]) -> None:
    """A service task's operator must be one the registry serves, with the parameters it takes,
    each an expression the sandbox accepts: otherwise every dossier would stop there."""
    params = task_spec.operation_params or {}
    for message in refusals(task_spec.operation_name, params):
        problems.append(Problem(message, element_id=task_spec.bpmn_id))
    for name, param in params.items():
        try:
            compile_expression(str(param.get("value") or ""))
        except (ScriptRefused, SyntaxError, RecursionError) as exc:  # or nested too deep
            problems.append(
                Problem(f"Tham số '{name}' không hợp lệ: {exc}", element_id=task_spec.bpmn_id)
            )


def _check_outcome(task_spec: Any, problems: list[Problem]) -> None:
    refused = end_outcome.problem(task_spec)
    if refused is not None:
        problems.append(refused)


def cache_key(files_hash: str, process_id: str) -> str:
    return f"{files_hash}:{process_id}"


class SpecCache:
    """Parsed procedures by content hash: a version's files never change, entries never go stale."""

    def __init__(self, capacity: int = 256) -> None:
        self._entries: OrderedDict[str, CompiledProcedure] = OrderedDict()
        self._capacity = capacity
        self._lock = Lock()
        self.misses = 0

    def get(self, key: str, load: Callable[[], tuple[dict[str, str], str]]) -> CompiledProcedure:
        """Return the parsed procedure; `load` gives (files, process_id) on a miss only."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry
        self.misses += 1
        files, process_id = load()
        entry = compile_procedure({k: v.encode() for k, v in files.items()}, process_id)
        with self._lock:
            self._entries[key] = entry
            if len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
        return entry

    def put(self, entry: CompiledProcedure) -> None:
        with self._lock:
            self._entries[cache_key(entry.content_hash, entry.process_id)] = entry


SPEC_CACHE = SpecCache()
