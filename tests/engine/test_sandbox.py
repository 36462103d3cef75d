"""Designers' conditions and scripts run in a sandbox: they touch task data and nothing else."""

from __future__ import annotations

import pytest

from engine.bpmn.sandbox import SandboxEnvironment
from engine.bpmn.sandbox import ScriptRefused
from engine.bpmn.sandbox import ScriptTimeout
from engine.bpmn.sandbox import compile_script


@pytest.fixture
def sandbox():
    return SandboxEnvironment()


@pytest.mark.parametrize(
    ("expression", "data", "expected"),
    [
        ('dossier_complete == "yes"', {"dossier_complete": "yes"}, True),
        ('dossier_complete == "yes"', {"dossier_complete": "no"}, False),
        ("amount > 1000000 and len(items) == 2", {"amount": 2000000, "items": [1, 2]}, True),
        ('applicant["id_number"][:3]', {"applicant": {"id_number": "001234567890"}}, "001"),
        ("max(scores) + min(scores)", {"scores": [3, 9, 4]}, 12),
    ],
)
def test_a_condition_evaluates_against_task_data(sandbox, expression, data, expected):
    assert sandbox.evaluate(expression, data) == expected


def test_a_script_writes_its_variables_back_to_task_data(sandbox):
    data = {"amount": 100, "items": ["a", "b"], "obsolete": 1}
    sandbox.execute(
        "total = amount * len(items)\n"
        "amount += 1\n"
        "labels = [item.upper() for item in items]\n"
        "del obsolete\n"
        "def helper():\n"
        "    return 1\n",
        data,
    )
    assert data == {"amount": 101, "items": ["a", "b"], "total": 200, "labels": ["A", "B"]}


def test_a_script_does_not_leak_the_sandbox_guards_into_task_data(sandbox):
    data: dict[str, object] = {}
    sandbox.execute("x = 1", data)
    assert data == {"x": 1}


@pytest.mark.parametrize(
    "source",
    [
        "import os",
        "from os import system",
        "import os as _os",
        "result = __import__('os')",
        "result = ().__class__.__subclasses__()",
        "result = ().__class__.__bases__[0].__subclasses__()",
        "result = [].append.__self__",
        "result = eval('1')",
        "result = exec('x = 1')",
    ],
)
def test_imports_and_private_attributes_are_refused_before_the_script_runs(sandbox, source):
    data: dict[str, object] = {}
    with pytest.raises(ScriptRefused):
        sandbox.execute(source, data)
    assert data == {}


@pytest.mark.parametrize(
    "source",
    [
        "result = open('/etc/passwd').read()",
        "result = getattr((), 'mro')",
        "result = globals()",
        "result = type(())",
        "result = compile('1', 'x', 'eval')",
    ],
)
def test_dangerous_builtins_do_not_exist_inside_a_script(sandbox, source):
    data: dict[str, object] = {}
    with pytest.raises(NameError):
        sandbox.execute(source, data)
    assert data == {}


@pytest.mark.parametrize(
    ("expression", "refused"),
    [
        ("__import__('os').getcwd()", ScriptRefused),
        ("().__class__.__subclasses__()", ScriptRefused),
        ("open('/etc/passwd').read()", NameError),
    ],
)
def test_escapes_from_a_condition_are_refused(sandbox, expression, refused):
    with pytest.raises(refused):
        sandbox.evaluate(expression, {})


def test_import_is_refused_when_the_script_is_compiled():
    with pytest.raises(ScriptRefused, match="import"):
        compile_script("import os\nresult = os.listdir('/')")


def test_a_huge_range_is_refused_inside_a_script(sandbox):
    with pytest.raises(ValueError, match="range"):
        sandbox.execute("numbers = list(range(10 ** 9))", {})


def test_a_condition_that_never_finishes_is_stopped(sandbox, monkeypatch):
    monkeypatch.setattr("engine.bpmn.sandbox.TIME_LIMIT_SECONDS", 0.2)
    with pytest.raises(ScriptTimeout):
        sandbox.evaluate("[x for x in range(10 ** 5) for y in range(10 ** 5)]", {})


def test_a_condition_reads_the_context_spiffworkflow_hands_it(sandbox):
    """Gateway conditions get the workflow's data objects, a DMN cell its `?`, as context."""
    assert sandbox.evaluate("approved_amount > 1000000", {}, {"approved_amount": 2000000})
    assert sandbox.evaluate("0 <= dmninputexpr < 6", {"age": 3}, {"dmninputexpr": 3})


def test_task_data_wins_over_the_context_in_a_condition(sandbox):
    assert sandbox.evaluate("amount", {"amount": 1}, {"amount": 2}) == 1


def test_a_script_reads_the_context_but_never_writes_it_into_task_data(sandbox):
    data: dict[str, object] = {"rate": 2}
    sandbox.execute("doubled = amount * rate\namount = 0", data, {"amount": 3})

    assert data == {"rate": 2, "doubled": 6}


def test_a_script_whose_task_data_hides_a_context_name_is_refused(sandbox):
    data: dict[str, object] = {"amount": 1}
    with pytest.raises(ValueError, match=r"hides names of the workflow's context: \['amount'\]"):
        sandbox.execute("total = amount", data, {"amount": 2})
    assert data == {"amount": 1}


def test_task_data_cannot_replace_the_sandbox_guards(sandbox):
    data = {"items": [1, 2], "__builtins__": {}, "_getattr_": "nothing", "_getiter_": 0}

    assert sandbox.evaluate("len(items) + sum(x for x in items)", data) == 5
    assert sandbox.evaluate('[exists("_getattr_"), exists("items")]', data) == [False, True]
