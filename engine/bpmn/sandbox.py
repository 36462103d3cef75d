"""Designers' scripts and gateway conditions run under RestrictedPython.

No imports (no `__import__` in the builtins), no names or attributes starting with `_`, only the
safe builtins and the helpers of `HELPERS`, and a time limit. Compiled code is cached by source
text, so a condition compiles once. Expressions see the context SpiffWorkflow hands them (data
objects, a DMN cell's `?`) as its own TaskDataEnvironment does; service tasks go to the
connector registry (engine.bpmn.connectors).
"""

from __future__ import annotations

import ast
import json
import operator
import sys
from collections.abc import Callable
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from time import monotonic
from types import CodeType
from types import FrameType
from typing import Any

from RestrictedPython.compile import compile_restricted_eval
from RestrictedPython.compile import compile_restricted_exec
from RestrictedPython.Guards import full_write_guard
from RestrictedPython.Guards import guarded_iter_unpack_sequence
from RestrictedPython.Guards import guarded_unpack_sequence
from RestrictedPython.Guards import safe_builtins
from RestrictedPython.Guards import safer_getattr
from RestrictedPython.Limits import limited_builtins
from RestrictedPython.transformer import RestrictingNodeTransformer
from RestrictedPython.Utilities import utility_builtins
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.bpmn import plain_json
from engine.bpmn import script_output
from engine.bpmn.connectors import registry
from engine.bpmn.connectors.base import ConnectorFailed

_BUILTINS: dict[str, Any] = {
    **safe_builtins,
    **limited_builtins,
    "dict": dict,
    "list": list,
    "sum": sum,
    "min": min,
    "max": max,
    "any": any,
    "all": all,
    "enumerate": enumerate,
    "sorted": sorted,
    "range": lambda *args: _bounded_range(*args),
}
BUILTIN_NAMES = frozenset(_BUILTINS)
"""Python's builtins a script or condition may use (with HELPERS, what it knows beyond data)."""
MAX_RANGE = 100_000
SCRIPT_FILENAME = "<bpmn-script>"
TIME_LIMIT_SECONDS = 2.0
"""A designer's script or condition that runs longer than this is stopped (an incident)."""
_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
}


PER_RUN = object()
"""A helper made for each run: `exists` sees that run's names, `print` keeps its lines."""
HELPERS: dict[str, Any] = {
    "datetime": datetime,
    "date": date,
    "time": time,
    "timedelta": timedelta,
    "Decimal": Decimal,
    "math": utility_builtins["math"],
    "random": utility_builtins["random"],
    "string": utility_builtins["string"],
    "json_dumps": plain_json.dumps,
    "json_loads": plain_json.loads,
    "exists": PER_RUN,
    "print": PER_RUN,
}
"""Everything a script or condition may use beyond Python's safe builtins, in one list (each
has its test in tests/engine/test_sandbox_helpers.py). Task data with the same name wins: a
form field called `date` stays the designer's value. `print` lines go to the dossier's history
(engine.bpmn.script_output)."""
_STATIC_HELPERS = {name: value for name, value in HELPERS.items() if value is not PER_RUN}
_HELPER_IDS = frozenset(id(value) for value in _STATIC_HELPERS.values())
_ABSENT = object()
_SCALARS = (str, int, float, bool, type(None), Decimal, date, time, timedelta)
"""What task data keeps (with lists, tuples, sets and dicts of them): the saved state's types."""


def _is_plain(value: Any) -> bool:
    if isinstance(value, _SCALARS):
        return True
    if isinstance(value, dict):
        return all(isinstance(key, _SCALARS) and _is_plain(item) for key, item in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return all(_is_plain(item) for item in value)
    return False


def _is_data(name: str, value: Any) -> bool:
    """A name a script leaves in task data: not private, not a function, not a helper."""
    return not (name.startswith("_") or callable(value) or id(value) in _HELPER_IDS)


def _require_plain(name: str, value: Any) -> None:
    """A value the saved state cannot hold fails the script that made it, naming it, rather
    than the save after it."""
    if not _is_plain(value):
        kind = type(value).__name__
        raise TypeError(
            f"biến '{name}' chứa {kind}, không lưu được vào dữ liệu hồ sơ ('{name}' holds a "
            f"{kind}: task data keeps text, numbers, dates, lists and dicts of them)"
        )


class ScriptTimeout(RuntimeError):
    """A script ran past the time limit and was stopped."""


def _bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise ValueError(f"range() is limited to {MAX_RANGE} numbers in scripts")
    return numbers


def _run_bounded(code: CodeType, scope: dict[str, Any], seconds: float) -> Any:
    """Run restricted code with a deadline checked on every line of the script's own frames.

    Only the script's frames are traced, so the rest of the process runs at full speed.
    """
    deadline = monotonic() + seconds

    def on_line(frame: FrameType, event: str, arg: Any) -> Any:
        if monotonic() > deadline:
            raise ScriptTimeout(f"the script ran longer than {seconds:g} s and was stopped")
        return on_line

    def on_call(frame: FrameType, event: str, arg: Any) -> Any:
        return on_line if frame.f_code.co_filename == SCRIPT_FILENAME else None

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        return eval(code, scope)  # noqa: S307 - restricted bytecode (eval also runs exec code)
    finally:
        sys.settrace(previous)


def _inplacevar(op: str, left: Any, right: Any) -> Any:
    if op not in _INPLACE:
        raise SyntaxError(f"operator {op} is not allowed in scripts")
    return _INPLACE[op](left, right)


GUARDS: dict[str, Any] = {
    "__builtins__": _BUILTINS,
    "_getattr_": safer_getattr,
    "_getitem_": operator.getitem,
    "_getiter_": iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": _inplacevar,
}


class ScriptRefused(ValueError):
    """The source uses a construct the sandbox does not allow."""


class _NoImports(RestrictingNodeTransformer):
    """RestrictedPython compiles imports and fails only when they run; refuse them at compile."""

    def visit_Import(self, node: ast.Import) -> ast.AST:  # noqa: N802 - ast visitor name
        self.error(node, "import statements are not allowed.")
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:  # noqa: N802 - ast visitor name
        self.error(node, "import statements are not allowed.")
        return node


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> CodeType:
    result = compile_restricted_eval(source.strip(), filename=SCRIPT_FILENAME, policy=_NoImports)
    if result.errors or result.code is None:
        raise ScriptRefused("; ".join(result.errors) or "cannot compile")
    return result.code


@lru_cache(maxsize=1024)
def compile_script(source: str) -> CodeType:
    result = compile_restricted_exec(source, filename=SCRIPT_FILENAME, policy=_NoImports)
    if result.errors or result.code is None:
        raise ScriptRefused("; ".join(result.errors) or "cannot compile")
    return result.code


class _Run:
    """One evaluation's names: the helpers, then SpiffWorkflow's context (data objects, a DMN
    cell's `?`), then the task data, the later winning as in SpiffWorkflow's
    TaskDataEnvironment; the guards over all, so no data can replace them. `exists` and
    `print` are bound to it."""

    def __init__(self, context: dict[str, Any], external_context: dict[str, Any]) -> None:
        self.printer = script_output.Printer()
        self.helpers: dict[str, Any] = {**_STATIC_HELPERS, "exists": self.exists}
        guards = {
            **GUARDS,
            "_print_": self.print_hook,  # RestrictedPython's hook for `print` in scripts
            "_print": self.printer,  # and what `print` becomes in an expression
        }
        self.scope = {**self.helpers, **external_context, **context, **guards}

    def exists(self, name: str) -> bool:
        """Whether the task data (or SpiffWorkflow's context) holds `name`, as set so far."""
        if not isinstance(name, str) or name.startswith("_") or name not in self.scope:
            return False
        return self.scope[name] is not self.helpers.get(name, _ABSENT)

    def print_hook(self, _getattr: Any) -> script_output.Printer:
        return self.printer


# SpiffWorkflow ships no type hints: to mypy its base class is Any.
class SandboxEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Evaluates against task data and SpiffWorkflow's context; writes back plain data, never
    functions, guards, helpers or the context; hands service calls to the connector registry."""

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Any = None
    ) -> Any:
        run = _Run(context, external_context or {})
        try:
            return _run_bounded(compile_expression(expression), run.scope, TIME_LIMIT_SECONDS)
        finally:
            run.printer.hand_over()

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        external = external_context or {}
        clashes = sorted(set(external) & set(context))
        if clashes:  # as SpiffWorkflow refuses: the script could not tell which one it reads
            raise ValueError(f"task data hides names of the workflow's context: {clashes}")
        run = _Run(context, external)
        try:
            _run_bounded(compile_script(script), run.scope, TIME_LIMIT_SECONDS)
        finally:
            run.printer.hand_over()
        for key in [k for k in context if k not in run.scope]:
            del context[key]
        for key, value in run.scope.items():
            if key in external or not _is_data(key, value):
                continue
            if context.get(key, _ABSENT) is not value:
                _require_plain(key, value)
            context[key] = value
        return True

    def call_service(
        self, context: dict[str, Any], operation_name: str, operation_params: Any, **_: Any
    ) -> str:
        """SpiffWorkflow's hook for a service task: its JSON answer, as text."""
        values = {name: param["value"] for name, param in (operation_params or {}).items()}
        return json.dumps(registry.call(operation_name, values), ensure_ascii=False)


class SandboxScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """SpiffWorkflow's engine, with what a script prints kept for its dossier and a failed
    service call reported by its element and operator (SpiffWorkflow 3.2.0's own error path
    for service tasks raises a NameError)."""

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        with script_output.printing_for(task):
            return super().evaluate(task, expression, external_context)

    def execute(self, task: Any, script: str, external_context: Any = None) -> Any:
        with script_output.printing_for(task):
            return super().execute(task, script, external_context)

    def call_service(self, task: Any, **kwargs: Any) -> str:
        try:
            answer: str = self.environment.call_service(task.data, **kwargs)
        except Exception as exc:  # whatever failed, the incident names the task and operator
            failure = exc
        else:
            return answer
        spec, operator_name = task.task_spec, kwargs.get("operation_name")
        reason = failure if isinstance(failure, ConnectorFailed) else repr(failure)
        raise WorkflowTaskException(
            f"Bước dịch vụ '{spec.bpmn_id}' ({spec.bpmn_name or spec.bpmn_id}), thao tác "
            f"'{operator_name}' (service task {spec.bpmn_id}, operator {operator_name}): {reason}",
            task=task,
            exception=failure,
        ) from failure


SCRIPT_ENGINE = SandboxScriptEngine(environment=SandboxEnvironment())
