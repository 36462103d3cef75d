"""Which variables the diagram's expressions read, and which no step, form or event provides.

A condition naming a variable nothing provides passes the compiler and fails only when a civil
servant runs the step before it. The readers are every condition, script (pre/post scripts
too), timer expression, multi-instance collection and cardinality, loop condition, message and
signal payload, service parameter and decision input; the providers are the forms' fields,
what scripts assign, multi-instance items and outputs, message and signal variables, decision
outputs, service results, data objects, and what the receipt always puts in (`applicant`,
`channel`). A name no file provides may still come with the submission data at reception (a
fee's `copies`), so it is advice naming the element and the variable, not a refusal; the dry
run (engine.bpmn.dry_run) refuses what is certain to fail."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import StandardLoopTask
from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask

from engine.bpmn.checks.base import spec_label
from engine.bpmn.sandbox import BUILTIN_NAMES
from engine.bpmn.sandbox import HELPERS
from engine.bpmn.sandbox import ScriptRefused
from engine.bpmn.sandbox import compile_expression
from engine.bpmn.sandbox import compile_script
from engine.errors import Problem

RECEIPT_NAMES = frozenset({"applicant", "channel"})
"""What the receipt puts in every new dossier's data (engine.dossiers.receive)."""
KNOWN_NAMES = BUILTIN_NAMES | frozenset(HELPERS)
"""What the sandbox itself gives every script and condition."""
CONDITION, SCRIPT = "condition", "script"


@dataclass(frozen=True)
class Reader:
    """One expression or script of the diagram and the names it reads before setting them."""

    element_id: str
    label: str
    what: str
    """What it is, in words for the message (Vietnamese / English)."""
    names: tuple[str, ...]


def names_read(source: str, kind: str) -> tuple[str, ...]:
    """The names `source` reads that it has not set itself before, in order of first reading;
    a name only tested with `exists("name")` is not counted. SyntaxError when it does not parse."""
    tree = ast.parse(source.strip() if kind == CONDITION else source, mode=_MODE[kind])
    visitor = _Reads()
    visitor.visit(tree)
    guarded = visitor.guarded
    return tuple(name for name in visitor.read if name not in guarded and name not in KNOWN_NAMES)


def names_set(source: str) -> set[str]:
    """Every name a script assigns (anywhere in it)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    }


_MODE = {CONDITION: "eval", SCRIPT: "exec"}


class _Reads(ast.NodeVisitor):
    """Walks a script in the order Python runs it (value before target), so `total = 0` then
    `total += 1` reads nothing, while `count = count + 1` reads `count`."""

    def __init__(self) -> None:
        self.read: dict[str, None] = {}
        self.bound: set[str] = set()
        self.guarded: set[str] = set()

    def visit_Name(self, node: ast.Name) -> None:  # noqa: N802 - ast visitor name
        if isinstance(node.ctx, ast.Load):
            if node.id not in self.bound:
                self.read.setdefault(node.id, None)
        else:
            self.bound.add(node.id)

    def visit_Assign(self, node: ast.Assign) -> None:  # noqa: N802
        self.visit(node.value)
        for target in node.targets:
            self.visit(target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:  # noqa: N802
        if node.value is not None:
            self.visit(node.value)
        self.visit(node.target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:  # noqa: N802
        self.visit(node.value)
        if isinstance(node.target, ast.Name) and node.target.id not in self.bound:
            self.read.setdefault(node.target.id, None)
        self.visit(node.target)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:  # noqa: N802
        self.visit(node.value)
        self.visit(node.target)

    def visit_For(self, node: ast.For) -> None:  # noqa: N802
        self.visit(node.iter)
        self.visit(node.target)
        for statement in [*node.body, *node.orelse]:
            self.visit(statement)

    def _comprehension(self, node: Any, results: list[ast.expr]) -> None:
        for generator in node.generators:
            self.visit(generator.iter)
            self.visit(generator.target)
            for condition in generator.ifs:
                self.visit(condition)
        for result in results:
            self.visit(result)

    def visit_ListComp(self, node: ast.ListComp) -> None:  # noqa: N802
        self._comprehension(node, [node.elt])

    def visit_SetComp(self, node: ast.SetComp) -> None:  # noqa: N802
        self._comprehension(node, [node.elt])

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:  # noqa: N802
        self._comprehension(node, [node.elt])

    def visit_DictComp(self, node: ast.DictComp) -> None:  # noqa: N802
        self._comprehension(node, [node.key, node.value])

    def visit_Lambda(self, node: ast.Lambda) -> None:  # noqa: N802
        self.bound.update(arg.arg for arg in [*node.args.posonlyargs, *node.args.args])
        self.bound.update(arg.arg for arg in node.args.kwonlyargs)
        self.visit(node.body)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:  # noqa: N802
        self.bound.add(node.name)
        self.bound.update(arg.arg for arg in [*node.args.posonlyargs, *node.args.args])
        self.bound.update(arg.arg for arg in node.args.kwonlyargs)
        for statement in node.body:
            self.visit(statement)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:  # noqa: N802
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            self.bound.add(node.name)
        for statement in node.body:
            self.visit(statement)

    def visit_Call(self, node: ast.Call) -> None:  # noqa: N802
        if isinstance(node.func, ast.Name) and node.func.id == "exists" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                self.guarded.add(first.value)
        self.generic_visit(node)


def provided_names(specs: list[Any], form_keys: set[str]) -> set[str]:
    """Every name something in the files (or the receipt) puts in a dossier's data."""
    provided = set(RECEIPT_NAMES) | form_keys
    for spec in specs:
        provided.update(spec.data_objects)
        io_spec = getattr(spec, "io_specification", None)
        if io_spec is not None:
            provided.update(item.bpmn_id for item in io_spec.data_inputs)
        for task_spec in spec.task_specs.values():
            provided.update(_provides(task_spec))
    return provided


def _provides(task_spec: Any) -> set[str]:
    names: set[str] = set()
    for source in _scripts(task_spec):
        names |= names_set(source)
    if isinstance(task_spec, MultiInstanceTask):
        items = (task_spec.input_item, task_spec.output_item, task_spec.data_output)
        names.update(item.bpmn_id for item in items if item is not None)
    table = getattr(getattr(task_spec, "dmnEngine", None), "decision_table", None)
    if table is not None:
        names.update(output.name for output in table.outputs if output.name)
    io_spec = getattr(task_spec, "io_specification", None)
    if io_spec is not None:
        names.update(item.bpmn_id for item in io_spec.data_outputs)
    named = [getattr(task_spec, "result_variable", None)] + [
        getattr(definition, attribute, None)
        for definition in _definitions(getattr(task_spec, "event_definition", None))
        for attribute in ("message_var", "variable")
    ]
    return names | {name for name in named if isinstance(name, str) and name}


def _scripts(task_spec: Any) -> list[str]:
    sources = [getattr(task_spec, "prescript", None), getattr(task_spec, "postscript", None)]
    if isinstance(task_spec, ScriptTask):
        sources.append(task_spec.script)
    return [source for source in sources if isinstance(source, str) and source.strip()]


def _definitions(definition: Any) -> list[Any]:
    if isinstance(definition, MultipleEventDefinition):
        return [inner for item in definition.event_definitions for inner in _definitions(item)]
    return [] if definition is None else [definition]


def readers(specs: list[Any]) -> list[Reader]:
    """Every expression and script of the specs, with the names each reads."""
    found = []
    for spec in specs:
        for task_spec in spec.task_specs.values():
            for what, source, kind in _sources(task_spec):
                try:
                    names = names_read(source, kind)
                except SyntaxError:
                    continue  # the compiler refuses it, naming the element
                if names:
                    found.append(Reader(task_spec.bpmn_id, spec_label(task_spec), what, names))
    return found


def _sources(task_spec: Any) -> Iterator[tuple[str, str, str]]:
    """(what, source, kind) of each expression or script the task spec runs."""
    for find in (_conditions, _own_scripts, _events, _loops, _parameters, _decision_inputs):
        for what, source, kind in find(task_spec):
            if isinstance(source, str) and source.strip():
                yield what, source, kind


Found = Iterator[tuple[str, Any, str]]


def _conditions(task_spec: Any) -> Found:
    for condition, target in getattr(task_spec, "cond_task_specs", None) or []:
        if condition is not None and condition.args:
            towards = getattr(target, "bpmn_id", None) or target
            what = f"điều kiện sang '{towards}' (condition towards '{towards}')"
            yield what, condition.args[0], CONDITION


def _own_scripts(task_spec: Any) -> Found:
    if isinstance(task_spec, ScriptTask):
        yield "mã lệnh (script)", task_spec.script, SCRIPT
    yield "mã lệnh trước (pre-script)", getattr(task_spec, "prescript", None), SCRIPT
    yield "mã lệnh sau (post-script)", getattr(task_spec, "postscript", None), SCRIPT


def _events(task_spec: Any) -> Found:
    for definition in _definitions(getattr(task_spec, "event_definition", None)):
        expression = getattr(definition, "expression", None)
        if isinstance(definition, TimerEventDefinition):
            yield "biểu thức hẹn giờ (timer expression)", expression, CONDITION
        elif isinstance(definition, ConditionalEventDefinition):
            yield "điều kiện của sự kiện (event condition)", expression, CONDITION
        else:
            yield "nội dung gửi đi (payload)", expression, CONDITION


def _loops(task_spec: Any) -> Found:
    if isinstance(task_spec, MultiInstanceTask):
        collection = task_spec.data_input
        if collection is not None:
            what = "tập hợp đa phiên bản (multi-instance collection)"
            yield what, collection.bpmn_id, CONDITION
        yield "số phiên bản (loop cardinality)", task_spec.cardinality, CONDITION
    if isinstance(task_spec, MultiInstanceTask | StandardLoopTask):
        yield "điều kiện dừng lặp (completion condition)", task_spec.condition, CONDITION


def _parameters(task_spec: Any) -> Found:
    for name, param in (getattr(task_spec, "operation_params", None) or {}).items():
        value = str((param or {}).get("value") or "")
        yield f"tham số '{name}' (parameter '{name}')", value, CONDITION


def _decision_inputs(task_spec: Any) -> Found:
    table = getattr(getattr(task_spec, "dmnEngine", None), "decision_table", None)
    for item in table.inputs if table is not None else []:
        what = f"đầu vào bảng quyết định '{item.label or item.id}' (decision input)"
        yield what, item.expression, CONDITION


def unknown_variables(specs: list[Any], form_keys: set[str]) -> list[Problem]:
    """Advice, one per element and variable: a name read that nothing in the files provides."""
    provided = provided_names(specs, form_keys)
    problems = []
    seen: set[tuple[str, str]] = set()
    for reader in readers(specs):
        for name in reader.names:
            if name in provided or (reader.element_id, name) in seen:
                continue
            seen.add((reader.element_id, name))
            problems.append(
                Problem(
                    f"Biến '{name}' ở {reader.what} của {reader.label} không do bước, biểu mẫu "
                    "hay sự kiện nào cung cấp: hồ sơ sẽ dừng ở đây trừ khi dữ liệu tiếp nhận có "
                    f"nó (no step, form or event provides '{name}': the dossier stops here "
                    "unless the reception's data carries it).",
                    element_id=reader.element_id,
                    extra={"variable": name},
                )
            )
    return problems


@dataclass(frozen=True)
class ExpressionCheck:
    """The answer of `check_expression`."""

    problems: list[Problem]
    variables: list[str]
    """Names the expression reads (sandbox helpers left out), in order of first reading."""
    unknown: list[str]
    """Those no step, form or event of the files (nor the receipt) provides."""


def check_expression(
    specs: list[Any],
    forms_of: dict[str, set[str]],
    element_id: str | None,
    expression: str,
    kind: str,
) -> ExpressionCheck:
    """Compile `expression` under the sandbox's rules (a condition, or a script) and name the
    variables it reads that no step before `element_id` (its form, scripts, events...) and no
    form of the procedure when the element is not found, provides. `forms_of` maps a form file
    to its field keys."""
    compile_fn = compile_expression if kind == CONDITION else compile_script
    try:
        if not expression.strip():
            raise ScriptRefused("trống (empty)")
        compile_fn(expression)
        names = list(names_read(expression, kind))
    except (ValueError, SyntaxError, RecursionError) as exc:  # ScriptRefused, NUL, too deep
        problem = Problem(f"Biểu thức không được phép: {exc}", element_id=element_id)
        return ExpressionCheck([problem], [], [])
    provided = _provided_before(specs, forms_of, element_id)
    if provided is None:
        every_field = {key for keys in forms_of.values() for key in keys}
        provided = provided_names(specs, every_field)
    return ExpressionCheck([], names, [name for name in names if name not in provided])


def _provided_before(
    specs: list[Any], forms_of: dict[str, set[str]], element_id: str | None
) -> set[str] | None:
    """What the steps from which `element_id` can be reached provide (the element's own form
    and scripts too, for its post-script and outgoing conditions), with what every dossier
    has; None when no element has that id."""
    by_name = {spec.name: spec for spec in specs}
    found = [
        (spec, task_spec)
        for spec in specs
        for task_spec in spec.task_specs.values()
        if element_id and getattr(task_spec, "bpmn_id", None) == element_id
    ]
    if not found:
        return None
    provided = set(RECEIPT_NAMES)
    for spec in specs:
        provided.update(spec.data_objects)
    queue = [task_spec for _spec, task_spec in found]
    seen: set[int] = set()
    while queue:
        task_spec = queue.pop()
        if id(task_spec) in seen:
            continue
        seen.add(id(task_spec))
        provided |= _provides(task_spec)
        form = ((getattr(task_spec, "extensions", None) or {}).get("properties") or {}).get("form")
        provided |= forms_of.get(str(form), set())
        queue.extend(task_spec.inputs)
        queue.extend(_callers(task_spec, specs, by_name))
    return provided


def _callers(task_spec: Any, specs: list[Any], by_name: dict[str, Any]) -> list[Any]:
    """The tasks that run the spec `task_spec` belongs to, when it is a process's start: the
    sub-process or call activity, or a multi-instance or loop task over it."""
    if task_spec.inputs or by_name.get(task_spec._wf_spec.name) is None:  # noqa: SLF001
        return []
    own = task_spec._wf_spec.name  # noqa: SLF001
    return [
        other
        for spec in specs
        for other in spec.task_specs.values()
        if getattr(other, "spec", None) == own
        or getattr(other, "task_spec", None) == task_spec.name
    ]
