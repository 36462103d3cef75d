"""The helpers a designer may use in scripts and conditions (engine.bpmn.sandbox.HELPERS), one
test each, and the escapes that stay refused with them in reach."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from engine.bpmn import runtime
from engine.bpmn import script_output
from engine.bpmn import serializer
from engine.bpmn.compiler import compile_procedure
from engine.bpmn.sandbox import HELPERS
from engine.bpmn.sandbox import SCRIPT_ENGINE
from engine.bpmn.sandbox import SandboxEnvironment
from engine.bpmn.sandbox import ScriptRefused
from engine.bpmn.sandbox import ScriptTimeout

CONSTRUCTS = Path(__file__).resolve().parents[1] / "data" / "constructs"
EACH_HELPER = {
    "datetime": ("datetime(2026, 3, 2, 7, 30).isoformat()", {}, "2026-03-02T07:30:00"),
    "date": ("(date(2026, 3, 2) + timedelta(days=7)).isoformat()", {}, "2026-03-09"),
    "time": ("time(7, 30) < time(11, 30) and time(13, 0).hour == 13", {}, True),
    "timedelta": ("timedelta(days=1, hours=2).total_seconds()", {}, 93600.0),
    "Decimal": ('str(Decimal("12500.50") * 2)', {}, "25001.00"),
    "math": ("math.ceil(7 / 2) + math.floor(math.sqrt(16))", {}, 8),
    "random": ("random.randint(3, 3)", {}, 3),
    "string": ("string.digits", {}, "0123456789"),
    "json_dumps": (
        'json_dumps({"tên": "An", "hạn": date(2026, 3, 9), "phí": Decimal("0.10")})',
        {},
        '{"tên": "An", "hạn": "2026-03-09", "phí": "0.10"}',
    ),
    "json_loads": ("json_loads('{\"items\": [1, 2]}')['items']", {}, [1, 2]),
    "exists": (
        '[exists("note"), exists("missing"), exists("date")]',
        {"note": ""},
        [True, False, False],
    ),
    "print": ('print("phí", fee) or "đã in"', {"fee": 25000}, "đã in"),
}


@pytest.fixture
def sandbox():
    return SandboxEnvironment()


def test_every_helper_in_the_list_has_its_test():
    assert sorted(EACH_HELPER) == sorted(HELPERS)


@pytest.mark.parametrize("name", sorted(EACH_HELPER))
def test_a_helper_works_in_a_condition(sandbox, name):
    expression, data, expected = EACH_HELPER[name]

    assert sandbox.evaluate(expression, dict(data)) == expected


def test_print_in_a_script_collects_its_lines_as_printed(sandbox):
    data: dict[str, object] = {"fee": Decimal("25001.00")}
    sandbox.execute('print("phí:", fee)\nprint("xong", end="!")\nlog = printed', data)

    assert data["log"] == "phí: 25001.00\nxong!"


def test_exists_sees_what_the_script_set_so_far(sandbox):
    data: dict[str, object] = {}
    sandbox.execute('before = exists("total")\ntotal = 1\nafter = exists("total")', data)

    assert data == {"before": False, "total": 1, "after": True}


def test_task_data_named_like_a_helper_stays_the_designers_value(sandbox):
    data: dict[str, object] = {"date": "02/03/2026"}
    sandbox.execute("day = date[:2]", data)

    assert data == {"date": "02/03/2026", "day": "02"}


def test_helpers_never_land_in_task_data(sandbox):
    data: dict[str, object] = {}
    sandbox.execute("m = math\nd = datetime\nf = json_dumps\nchecked = exists\nx = 1", data)

    assert data == {"x": 1}


def test_a_value_task_data_cannot_keep_fails_the_script_naming_it(sandbox):
    data: dict[str, object] = {"items": [1, 2]}
    with pytest.raises(TypeError, match="'numbers' holds a range"):
        sandbox.execute("numbers = range(3)", data)
    with pytest.raises(TypeError, match="'modules' holds a list"):
        sandbox.execute("modules = [math]", data)
    assert data == {"items": [1, 2]}


def test_what_scripts_print_is_kept_for_their_workflow_and_values_survive_a_save():
    compiled = compile_procedure(
        {"sandbox_helpers.bpmn": (CONSTRUCTS / "sandbox_helpers.bpmn").read_bytes()}
    )
    workflow = runtime.start(compiled, {"applicant": {"full_name": "Nguyễn Văn An"}})
    [first] = script_output.take(workflow)
    restored = serializer.load(serializer.dump(workflow), compiled)
    [check] = runtime.ready_steps(restored, compiled)
    runtime.complete(restored, check.spiff_task_id, {})
    [second] = script_output.take(restored)

    assert (first.element_id, first.lines[:3]) == (
        "compute",
        ("hạn: 2026-03-09", "phí: 25001.00", "trang: 4"),
    )
    assert second.lines == (
        "phí + 1: 25002.00 hạn + 1: 2026-03-10",
        "mở cửa: 7 nhận lúc: 2026-03-02T08:30:00",
    )
    assert script_output.take(restored) == []


def test_a_script_printing_without_end_keeps_a_bounded_number_of_lines():
    compiled = compile_procedure(
        {"sandbox_helpers.bpmn": (CONSTRUCTS / "sandbox_helpers.bpmn").read_bytes()}
    )
    workflow = runtime.new(compiled)
    [task] = workflow.get_tasks(spec_name="compute")
    SCRIPT_ENGINE.execute(task, "for n in range(1000):\n    print('dòng', n, 'x' * 600)")
    [kept] = script_output.take(workflow)

    assert (kept.element_id, kept.name) == ("compute", "Tính hạn và phí")
    assert len(kept.lines) == script_output.MAX_LINES
    assert kept.lines[0] == "dòng 0 " + "x" * (script_output.MAX_LINE_CHARS - len("dòng 0 "))
    assert kept.lines[-1] == script_output.CUT


@pytest.mark.parametrize(
    "source",
    [
        "result = math.__loader__",
        "result = datetime.__subclasses__()",
        "result = json_loads.__globals__",
        "result = exists.__self__",
        "result = Decimal('1').__class__",
        "result = date.today().__reduce__()",
        "from datetime import datetime",
        "import json",
    ],
)
def test_the_helpers_open_no_way_to_private_attributes_or_imports(sandbox, source):
    data: dict[str, object] = {}
    with pytest.raises(ScriptRefused):
        sandbox.execute(source, data)
    assert data == {}


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("result = getattr(math, 'sys')", NameError),
        ("result = open('/etc/passwd')", NameError),
        ("result = socket", NameError),
        ("result = os.system('id')", NameError),
        ("result = subprocess", NameError),
        ("print('x', file=math)", TypeError),
        ("result = string.Formatter().format('{0.__class__}', 1)", NotImplementedError),
        ("result = '{0.__class__}'.format(1)", NotImplementedError),
    ],
)
def test_no_file_network_or_process_is_in_reach(sandbox, source, error):
    data: dict[str, object] = {}
    with pytest.raises(error):
        sandbox.execute(source, data)
    assert data == {}


def test_a_script_that_never_finishes_is_stopped_even_with_the_helpers(sandbox, monkeypatch):
    monkeypatch.setattr("engine.bpmn.sandbox.TIME_LIMIT_SECONDS", 0.2)
    with pytest.raises(ScriptTimeout):
        sandbox.execute("while True:\n    now = datetime.now()\n    print(json_dumps(now))", {})


def test_json_dumps_refuses_what_is_not_data(sandbox):
    with pytest.raises(TypeError, match="cannot be written as JSON"):
        sandbox.evaluate("json_dumps({'f': datetime})", {})
    assert sandbox.evaluate("json_dumps(due)", {"due": date(2026, 3, 9)}) == '"2026-03-09"'
