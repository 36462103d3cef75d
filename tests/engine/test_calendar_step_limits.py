"""A user task may carry its own limit (`time_limit` property: '2d', '0d' = same day, '4h');
publication refuses a malformed one naming the task, and the shipped procedures set theirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.bpmn.compiler import compile_procedure
from engine.catalogue.folders import read_folder
from engine.errors import DiagramInvalid
from engine.rules.calendar import TimeLimit

DIAGRAMS = Path(__file__).parent / "bpmn"
FORM = "check_dossier.form.json"
FORM_PROPERTY = '<spiffworkflow:property name="form" value="check_dossier.form.json" />'
PROCESSES = Path(__file__).resolve().parents[2] / "processes"


def one_step(time_limit: str) -> dict[str, bytes]:
    """The one-step fixture diagram with a `time_limit` property on its task."""
    text = (DIAGRAMS / "one_step.bpmn").read_text(encoding="utf-8")
    assert FORM_PROPERTY in text
    prop = f'<spiffworkflow:property name="time_limit" value="{time_limit}" />'
    return {
        "one_step.bpmn": text.replace(FORM_PROPERTY, FORM_PROPERTY + prop).encode(),
        FORM: (DIAGRAMS / FORM).read_bytes(),
    }


@pytest.mark.parametrize(
    ("value", "limit"),
    [("0d", TimeLimit(0, "days")), ("2d", TimeLimit(2, "days")), ("4h", TimeLimit(4, "hours"))],
)
def test_the_step_carries_its_time_limit(value, limit):
    assert compile_procedure(one_step(value)).steps["check_dossier"].time_limit == limit


def test_a_step_without_the_property_has_no_limit():
    files = {name: (DIAGRAMS / name).read_bytes() for name in ("one_step.bpmn", FORM)}
    assert compile_procedure(files).steps["check_dossier"].time_limit is None


@pytest.mark.parametrize("value", ["2", "two days", "2w", "-1d", "0h", "400d", ""])
def test_a_malformed_time_limit_stops_publication_naming_the_task(value):
    with pytest.raises(DiagramInvalid) as caught:
        compile_procedure(one_step(value))
    [problem] = caught.value.problems
    assert problem.element_id == "check_dossier"
    assert f"'{value}'" in problem.message
    assert "time_limit" in problem.message


@pytest.mark.parametrize(
    ("procedure", "limits"),
    [
        (
            "newborn_bundle",
            {
                "check_dossier": TimeLimit(0, "days"),
                "receive_supplement": TimeLimit(7, "days"),
                "register_birth": TimeLimit(0, "days"),
                "register_residence": TimeLimit(7, "days"),
                "issue_health_insurance_card": TimeLimit(2, "days"),
                "return_results": TimeLimit(0, "days"),
            },
        ),
        (
            "social_allowance",
            {
                "verify_beneficiary": TimeLimit(1, "days"),
                "guide_online_submission": TimeLimit(1, "days"),
                "process_dossier": TimeLimit(7, "days"),
                "return_result": TimeLimit(1, "days"),
                "return_refusal": TimeLimit(1, "days"),
            },
        ),
    ],
)
def test_the_shipped_procedures_give_their_steps_limits(procedure, limits):
    meta, files = read_folder(PROCESSES / procedure)
    steps = compile_procedure(files, meta.process_id).steps
    assert {key: steps[key].time_limit for key in limits} == limits
