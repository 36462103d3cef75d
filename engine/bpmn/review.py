"""Everything the server checks on a diagram that compiles, at validation and publication: the
one-stop rule set (engine.bpmn.checks), variables nothing provides (engine.bpmn.variables),
the dry run (engine.bpmn.dry_run) and the advice (engine.bpmn.advice). Errors stop
publication; warnings are given beside the answer."""

from __future__ import annotations

from dataclasses import dataclass

from engine.bpmn.advice import advice_for
from engine.bpmn.checks import Diagram
from engine.bpmn.checks import run_rules
from engine.bpmn.compiler import BPMN_SUFFIX
from engine.bpmn.compiler import FORM_SUFFIX
from engine.bpmn.compiler import CompiledProcedure
from engine.bpmn.compiler import compile_procedure
from engine.bpmn.dry_run import DryRunReport
from engine.bpmn.dry_run import dry_run
from engine.bpmn.variables import ExpressionCheck
from engine.bpmn.variables import check_expression as check_in
from engine.bpmn.variables import readers
from engine.bpmn.variables import unknown_variables
from engine.bpmn.xml import parse_untrusted
from engine.errors import DiagramInvalid
from engine.errors import Problem
from engine.rules import forms


@dataclass(frozen=True)
class Limits:
    """What the rules need of the procedure's metadata."""

    time_limit: int | None
    time_limit_unit: str
    supplement_days: int


@dataclass(frozen=True)
class Review:
    errors: list[Problem]
    warnings: list[Problem]
    dry_run: DryRunReport | None
    """None when the rules' errors made running it pointless."""


def review(compiled: CompiledProcedure, files: dict[str, bytes], limits: Limits) -> Review:
    """Every check of a compiled procedure. The dry run runs only when no rule refused the
    diagram, and leaves out advice on a variable the variables check already named."""
    specs = [compiled.spec, *compiled.subprocess_specs.values()]
    roots = [
        parse_untrusted(content, name)
        for name, content in sorted(files.items())
        if name.endswith(BPMN_SUFFIX)
    ]
    diagram = Diagram(
        specs, roots, limits.time_limit, limits.time_limit_unit, limits.supplement_days
    )
    errors, warnings = run_rules(diagram)
    form_keys = {item.key for fields in compiled.forms.values() for item in fields}
    unknown = unknown_variables(specs, form_keys)
    report = None
    if not errors:
        outside: dict[str, set[str]] = {}
        for problem in unknown:
            outside.setdefault(problem.element_id or "", set()).add(problem.extra["variable"])
        deciding = {name for reader in readers(specs) for name in reader.names}
        report = dry_run(compiled, deciding, outside)
        errors.extend(report.problems)
        named = {(problem.element_id, problem.extra.get("variable")) for problem in unknown}
        warnings.extend(
            problem
            for problem in report.warnings
            if (problem.element_id, problem.extra.get("variable")) not in named
            or "variable" not in problem.extra
        )
    return Review(errors, [*advice_for(compiled), *unknown, *warnings], report)


def check_expression(
    files: dict[str, bytes],
    element_id: str | None,
    expression: str,
    kind: str,
    process_id: str | None = None,
) -> ExpressionCheck:
    """Compile a condition or script under the sandbox's rules and name the variables it reads
    that no step before the element provides. Files that do not compile yet (a diagram being
    drawn) still lend their forms' fields."""
    try:
        compiled = compile_procedure(files, process_id)
    except DiagramInvalid:
        return check_in([], _form_keys(files), element_id, expression, kind)
    specs = [compiled.spec, *compiled.subprocess_specs.values()]
    forms_of = {name: {item.key for item in fields} for name, fields in compiled.forms.items()}
    return check_in(specs, forms_of, element_id, expression, kind)


def _form_keys(files: dict[str, bytes]) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {}
    for name, content in files.items():
        if not name.endswith(FORM_SUFFIX):
            continue
        try:
            keys[name] = {item.key for item in forms.parse_form(content)}
        except (ValueError, UnicodeDecodeError):
            continue
    return keys
