"""A dossier's workflow is saved after every step and reloaded for the next one, as the write path
does; the saved state holds only the instance (the spec comes from the published version)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.bpmn import runtime
from engine.bpmn import serializer
from engine.bpmn.compiler import CompiledProcedure
from engine.bpmn.compiler import compile_procedure
from engine.catalogue.folders import read_folder

MAX_STATE_BYTES = 16 * 1024

NEWBORN_STEPS: list[tuple[str, dict[str, Any]]] = [
    ("check_dossier", {"dossier_complete": "no", "missing_items": "Giấy chứng sinh"}),
    ("receive_supplement", {"supplement_outcome": "received"}),
    ("check_dossier", {"dossier_complete": "yes"}),
    ("register_birth", {"birth_registration_number": "15/2026", "child_personal_id": "0" * 12}),
    (
        "issue_health_insurance_card",
        {"social_security_number": "0123456789", "card_valid_from": "2026-03-02"},
    ),
    ("register_residence", {"residence_address": "Thôn 1", "residence_notice_number": "7"}),
    ("return_results", {"delivery_method": "in_person"}),
]


@pytest.fixture
def newborn(processes_dir) -> CompiledProcedure:
    meta, files = read_folder(processes_dir / "newborn_bundle")
    return compile_procedure(files, meta.process_id)


def keys_of(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from keys_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from keys_of(item)


def ready_ids(workflow: Any, compiled: CompiledProcedure) -> list[str]:
    return sorted(ready.step.element_id for ready in runtime.ready_steps(workflow, compiled))


def run_with_save_restore(compiled: CompiledProcedure) -> tuple[Any, list[str], list[list[str]]]:
    """Walk NEWBORN_STEPS; save and reload before each one. Returns states and ready steps seen."""
    state = serializer.dump(runtime.start(compiled, {"channel": "online"}))
    states, seen = [state], []
    for element_id, data in NEWBORN_STEPS:
        workflow = serializer.load(state, compiled)
        ready = {
            r.step.element_id: r.spiff_task_id for r in runtime.ready_steps(workflow, compiled)
        }
        seen.append(sorted(ready))
        runtime.complete(workflow, ready[element_id], data)
        state = serializer.dump(workflow)
        states.append(state)
    return serializer.load(state, compiled), states, seen


def test_the_newborn_bundle_runs_to_its_end_through_saved_state(newborn):
    workflow, _, seen = run_with_save_restore(newborn)
    assert seen == [
        ["check_dossier"],
        ["receive_supplement"],
        ["check_dossier"],
        ["register_birth"],
        ["issue_health_insurance_card", "register_residence"],
        ["register_residence"],
        ["return_results"],
    ]
    assert runtime.is_completed(workflow)
    assert runtime.outcome(workflow) == "result_returned"
    assert ready_ids(workflow, newborn) == []


def test_saved_state_carries_the_task_data_across_reloads(newborn):
    workflow, _, _ = run_with_save_restore(newborn)
    data = workflow.last_task.data
    assert data["channel"] == "online"
    assert data["child_personal_id"] == "0" * 12
    assert data["residence_notice_number"] == "7"
    assert data["delivery_method"] == "in_person"


def test_saved_state_has_no_spec_and_stays_small(newborn):
    _, states, _ = run_with_save_restore(newborn)
    stock = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    with_spec = stock.serialize_json(runtime.start(newborn, {"channel": "online"}))
    assert "task_specs" in json.loads(with_spec)["spec"]
    for state in states:
        parsed = json.loads(state)
        assert "task_specs" not in set(keys_of(parsed))
        assert parsed["spec"] == "newborn_bundle"
        assert parsed["serializer_version"] == serializer.SERIALIZER_VERSION
        assert len(state.encode()) < MAX_STATE_BYTES
    assert len(states[0]) < len(with_spec) / 2


def test_reloading_a_saved_state_gives_back_the_same_state(newborn):
    _, states, _ = run_with_save_restore(newborn)
    for state in states:
        assert serializer.dump(serializer.load(state, newborn)) == state


def _first_task_data(workflow: Any, compiled: CompiledProcedure) -> dict[str, Any]:
    ready = runtime.ready_steps(workflow, compiled)[0]
    return dict(workflow.get_task_from_id(UUID(ready.spiff_task_id)).data)


def test_a_whole_number_past_64_bits_in_the_data_comes_back_exact(newborn):
    # a number field is JSON: a clerk can type a 25-digit number; orjson cannot write it, and
    # would read it back as a float, so such a state is written and read by the json module
    number = 1234567890123456789012345
    state = serializer.dump(runtime.start(newborn, {"channel": "online", "number": number}))
    data = _first_task_data(serializer.load(state, newborn), newborn)
    assert data["number"] == number
    assert isinstance(data["number"], int)


def test_a_state_saved_by_the_json_module_before_orjson_still_loads(newborn):
    workflow = runtime.start(newborn, {"channel": "online", "applicant": {"full_name": "Lê Văn"}})
    written_before = json.dumps(json.loads(serializer.dump(workflow)))  # with ", " and ": "
    reloaded = serializer.load(written_before, newborn)
    assert _first_task_data(reloaded, newborn)["applicant"] == {"full_name": "Lê Văn"}
    assert json.loads(serializer.dump(reloaded)) == json.loads(written_before)
