"""Designers' scripts and gateway conditions run under RestrictedPython.

No imports (no `__import__` in the builtins), no names or attributes starting with `_`, and only
the safe builtins. Compiled code is cached by source text, so a condition compiles once.
"""

from __future__ import annotations

import ast
import operator
import sys
from collections.abc import Callable
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
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

_BUILTINS: dict[str, Any] = {
    **safe_builtins,
    **limited_builtins,
    **{
        name: utility_builtins[name]
        for name in ("math", "random", "string")
        if name in utility_builtins
    },
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


# SpiffWorkflow ships no type hints: to mypy its base class is Any.
class SandboxEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Evaluates against task data only; writes back plain data, never functions or guards."""

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Any = None
    ) -> Any:
        scope = {**GUARDS, **context}
        return _run_bounded(compile_expression(expression), scope, TIME_LIMIT_SECONDS)

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        scope = {**GUARDS, **context}
        _run_bounded(compile_script(script), scope, TIME_LIMIT_SECONDS)
        for key in [k for k in context if k not in scope]:
            del context[key]
        for key, value in scope.items():
            if key not in GUARDS and not key.startswith("_") and not callable(value):
                context[key] = value
        return True


SCRIPT_ENGINE = PythonScriptEngine(environment=SandboxEnvironment())
