"""A procedure upload compiles only when it is safe and runnable; otherwise every problem names
the element (or the file and line) a designer must fix. Fixture diagrams are in bpmn/."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from engine.bpmn import runtime
from engine.bpmn import sandbox
from engine.bpmn.compiler import HumanStep
from engine.bpmn.compiler import compile_procedure
from engine.errors import DiagramInvalid
from engine.errors import UnsafeXml
from engine.errors import WorkflowIncident

DIAGRAMS = Path(__file__).parent / "bpmn"
FORM = "check_dossier.form.json"


def files(*names: str) -> dict[str, bytes]:
    return {name: (DIAGRAMS / name).read_bytes() for name in names}


def problems_of(uploaded: dict[str, bytes]) -> DiagramInvalid:
    with pytest.raises(DiagramInvalid) as caught:
        compile_procedure(uploaded)
    return caught.value


def test_a_valid_diagram_compiles_and_exposes_its_human_step():
    compiled = compile_procedure(files("one_step.bpmn", FORM))
    assert compiled.process_id == "one_step"
    assert compiled.steps == {
        "check_dossier": HumanStep("check_dossier", "Kiểm tra hồ sơ", "reception", FORM)
    }
    assert [field.key for field in compiled.forms[FORM]] == ["dossier_complete"]


def test_the_compiled_step_opens_when_the_workflow_starts():
    compiled = compile_procedure(files("one_step.bpmn", FORM))
    workflow = runtime.start(compiled, {})
    assert [ready.step.element_id for ready in runtime.ready_steps(workflow, compiled)] == [
        "check_dossier"
    ]


@pytest.mark.parametrize(
    ("diagram", "element_id", "words"),
    [
        ("unknown_lane_role.bpmn", "read_the_stars", "astrologer"),
        ("missing_form.bpmn", "check_dossier", "register_birth.form.json"),
        ("script_import.bpmn", "list_server_files", "import"),
    ],
)
def test_an_unrunnable_diagram_is_refused_naming_the_element(diagram, element_id, words):
    error = problems_of(files(diagram, FORM))
    assert not isinstance(error, UnsafeXml)
    assert [problem.element_id for problem in error.problems] == [element_id]
    assert words in error.problems[0].message


@pytest.mark.parametrize("diagram", ["xxe.bpmn", "billion_laughs.bpmn"])
def test_doctype_and_entities_are_refused_as_unsafe_before_parsing(diagram):
    error = problems_of(files(diagram))
    assert isinstance(error, UnsafeXml)
    assert [problem.file for problem in error.problems] == [diagram]
    assert "DOCTYPE" in error.problems[0].message
    assert "root:" not in error.detail + error.problems[0].message


def test_unsafe_xml_wins_over_other_problems_in_the_same_upload():
    error = problems_of(files("unknown_lane_role.bpmn", "xxe.bpmn", FORM))
    assert isinstance(error, UnsafeXml)


def test_malformed_xml_is_refused_with_its_file_and_line():
    error = problems_of(files("malformed.bpmn"))
    assert not isinstance(error, UnsafeXml)
    [problem] = error.problems
    assert problem.file == "malformed.bpmn"
    assert problem.line == 7
    assert "XML" in problem.message


def test_xml_that_is_not_bpmn_is_refused():
    error = problems_of(files("not_bpmn.bpmn"))
    assert not isinstance(error, UnsafeXml)
    assert [(p.file, "BPMN" in p.message) for p in error.problems] == [("not_bpmn.bpmn", True)]


def test_an_upload_without_a_diagram_is_refused():
    error = problems_of(files(FORM))
    assert any("BPMN" in problem.message for problem in error.problems)


def test_a_script_opening_a_file_cannot_read_it_when_it_runs():
    compiled = compile_procedure(files("script_open.bpmn"))
    with pytest.raises(WorkflowIncident, match="open"):
        runtime.start(compiled, {})


def test_an_endless_script_is_stopped_by_the_time_limit_and_becomes_an_incident():
    compiled = compile_procedure(files("script_endless.bpmn"))
    started = time.monotonic()
    with pytest.raises(WorkflowIncident, match="longer than"):
        runtime.start(compiled, {"copies": 1})
    assert time.monotonic() - started < sandbox.TIME_LIMIT_SECONDS + 3
