"""What a designer should know about a diagram that still publishes: a choice that may find no
way out, a message only another system can send. Each is a `Problem` naming the element
(Vietnamese, then English) given beside the refusals, never stopping publication: the engine
runs such diagrams as SpiffWorkflow does, and an outside system may well be the sender."""

from __future__ import annotations

import ast
import itertools
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import ThrowingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway

from engine.bpmn.compiler import CompiledProcedure
from engine.errors import Problem
from engine.rules import forms

MAX_CASES = 4096
"""More combinations of values than this and a gateway is not checked (no advice, no guess)."""
_UNDECIDED = object()
_OTHER_TEXT = "…"
"""Stands for any text a condition does not name."""


def advice_for(compiled: CompiledProcedure) -> list[Problem]:
    specs = [compiled.spec, *compiled.subprocess_specs.values()]
    options = _form_options(compiled.forms)
    gaps = [
        problem
        for spec in specs
        for task_spec in spec.task_specs.values()
        if (problem := _gateway_gap(task_spec, options)) is not None
    ]
    return gaps + _unthrown_messages(specs)


def _gateway_gap(task_spec: Any, options: dict[str, set[Any]]) -> Problem | None:
    """A problem when some values of the variables its conditions read make every condition
    false and there is no default flow: SpiffWorkflow then stops the dossier at the gateway.
    Conditions beyond names compared with constants, `and`, `or` and `not` are not judged."""
    if not _without_default(task_spec):
        return None
    sources = [condition.args[0] for condition, _ in task_spec.cond_task_specs if condition.args]
    if not sources:
        return None
    try:
        trees = [ast.parse(str(source).strip(), mode="eval").body for source in sources]
    except SyntaxError:
        return None  # the compiler's own check names a condition that does not compile
    constants: dict[str, set[Any]] = {}
    if not all(_collect(tree, constants) for tree in trees):
        return None
    domains = {name: _domain(name, seen, options) for name, seen in sorted(constants.items())}
    if _cases(domains) > MAX_CASES:
        return None
    for values in itertools.product(*domains.values()):
        case = dict(zip(domains, values, strict=True))
        if not any(_holds(tree, case) for tree in trees):
            return _gap_problem(task_spec, case)
    return None


def _without_default(task_spec: Any) -> bool:
    """An exclusive or inclusive gateway with no default flow (SpiffWorkflow keeps an inclusive
    gateway's default as a flow without condition)."""
    if isinstance(task_spec, ExclusiveGateway):
        return task_spec.default_task_spec is None
    if isinstance(task_spec, InclusiveGateway):
        return all(condition is not None for condition, _ in task_spec.cond_task_specs)
    return False


def _gap_problem(task_spec: Any, case: dict[str, Any]) -> Problem:
    when = ", ".join(f"{name} = {_shown(value)}" for name, value in case.items())
    name = task_spec.bpmn_name
    named = f" [{name}]" if name and name != task_spec.bpmn_id else ""
    return Problem(
        f"Không nhánh nào của cổng đúng khi {when} và cổng không có luồng mặc định: hồ sơ sẽ "
        f"dừng ở đây; thêm luồng mặc định hoặc điều kiện cho trường hợp này (no outgoing "
        f"condition holds when {when} and there is no default flow){named}.",
        element_id=task_spec.bpmn_id,
    )


def _shown(value: Any) -> str:
    if value is _OTHER_TEXT:
        return "giá trị khác (another value)"
    return repr(value)


def _cases(domains: dict[str, list[Any]]) -> int:
    total = 1
    for values in domains.values():
        total *= len(values)
    return total


def _collect(node: ast.AST, constants: dict[str, set[Any]]) -> bool:
    """Whether the condition is one this check can judge; gathers each variable's constants."""
    if isinstance(node, ast.BoolOp):
        return all(_collect(value, constants) for value in node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _collect(node.operand, constants)
    if isinstance(node, ast.Name):
        constants.setdefault(node.id, set()).update({True, False})
        return True
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return True
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        found = _compared(node)
        if found is None:
            return False
        name, values = found
        constants.setdefault(name, set()).update(values)
        return True
    return False


def _compared(node: ast.Compare) -> tuple[str, set[Any]] | None:
    """`name OP constant` or `constant OP name` (`in` with a tuple or list of constants)."""
    left, right = node.left, node.comparators[0]
    if isinstance(left, ast.Constant) and isinstance(right, ast.Name):
        left, right = right, left
    if not isinstance(left, ast.Name):
        return None
    if isinstance(right, ast.Constant) and _plain(right.value):
        return left.id, {right.value}
    if isinstance(right, ast.Tuple | ast.List | ast.Set) and isinstance(
        node.ops[0], ast.In | ast.NotIn
    ):
        items = right.elts
        if all(isinstance(item, ast.Constant) and _plain(item.value) for item in items):
            return left.id, {item.value for item in items if isinstance(item, ast.Constant)}
    return None


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, bool | int | float | str)


def _domain(name: str, seen: set[Any], options: dict[str, set[Any]]) -> list[Any]:
    """Values that stand for every value the variable may take, as far as the conditions can
    tell them apart: a form's options when a form field of that name has some; each constant
    and the numbers around it; any other text."""
    if name in options:
        return sorted(options[name], key=repr)
    values: set[Any] = set(seen)
    numbers = sorted(v for v in seen if isinstance(v, int | float) and not isinstance(v, bool))
    for number in numbers:
        values.update({number - 0.5, number + 0.5})
    if any(isinstance(v, str) for v in seen):
        values.add(_OTHER_TEXT)
    if numbers:  # a number variable is neither True nor False nor text
        values = {v for v in values if not isinstance(v, bool | str) and v is not None}
    return sorted(values, key=repr)


def _holds(node: ast.AST, case: dict[str, Any]) -> bool:
    result = _value(node, case)
    return result is not _UNDECIDED and bool(result)


def _value(node: ast.AST, case: dict[str, Any]) -> Any:
    if isinstance(node, ast.BoolOp):
        values = [_value(value, case) for value in node.values]
        if any(value is _UNDECIDED for value in values):
            return _UNDECIDED
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp):
        operand = _value(node.operand, case)
        return operand if operand is _UNDECIDED else not operand
    if isinstance(node, ast.Name):
        return case[node.id]
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Compare):
        return _compare(node, case)
    return _UNDECIDED


def _compare(node: ast.Compare, case: dict[str, Any]) -> Any:
    left, right = _operand(node.left, case), _operand(node.comparators[0], case)
    operator = node.ops[0]
    if left is _OTHER_TEXT or right is _OTHER_TEXT:  # equal to nothing the condition names
        if isinstance(operator, ast.Eq | ast.In):
            return False
        if isinstance(operator, ast.NotEq | ast.NotIn):
            return True
        return _UNDECIDED
    try:
        return _OPERATORS[type(operator)](left, right)
    except (KeyError, TypeError):
        return _UNDECIDED


def _operand(node: ast.AST, case: dict[str, Any]) -> Any:
    if isinstance(node, ast.Name):
        return case[node.id]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [item.value for item in node.elts if isinstance(item, ast.Constant)]
    if isinstance(node, ast.Constant):
        return node.value
    return _UNDECIDED


_OPERATORS: dict[type, Any] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b,
    ast.IsNot: lambda a, b: a is not b,
}


def _form_options(parsed_forms: dict[str, list[forms.Field]]) -> dict[str, set[Any]]:
    """The values a form lets an officer choose for each field key: a checkbox's two, a select's
    or radio group's options."""
    options: dict[str, set[Any]] = {}
    for fields in parsed_forms.values():
        for field in fields:
            if field.type == "checkbox":
                options.setdefault(field.key, set()).update({True, False})
            elif field.values:
                options.setdefault(field.key, set()).update(field.values)
    return options


def _unthrown_messages(specs: list[Any]) -> list[Problem]:
    """Catch events for a message no element of these files sends: only another system,
    through `POST /api/v1/messages`, can move such a dossier on."""
    thrown: set[str] = set()
    catches: list[tuple[Any, str]] = []
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if isinstance(task_spec, EventBasedGateway):  # it holds its catch events' definitions
                for catch, definition in zip(
                    task_spec.outputs, task_spec.event_definition.event_definitions, strict=False
                ):
                    catches.extend((catch, message) for message in _messages(definition))
                continue
            definition = getattr(task_spec, "event_definition", None)
            for message in _messages(definition):
                if isinstance(task_spec, ThrowingEvent):
                    thrown.add(message)
                elif isinstance(task_spec, CatchingEvent):
                    catches.append((task_spec, message))
    problems = []
    for task_spec, message in catches:
        if message in thrown:
            continue
        problems.append(
            Problem(
                f"Không bước nào trong sơ đồ gửi thông điệp “{message}”: chỉ hệ thống bên ngoài "
                "gửi qua POST /api/v1/messages mới đưa hồ sơ đi tiếp (no element sends this "
                "message: only another system can, through the messages API).",
                element_id=task_spec.bpmn_id,
            )
        )
    return problems


def _messages(definition: Any) -> list[str]:
    if isinstance(definition, MessageEventDefinition):
        return [definition.name]
    return [
        name
        for inner in getattr(definition, "event_definitions", None) or []
        for name in _messages(inner)
    ]
