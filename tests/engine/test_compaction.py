"""A dossier that loops through many supplement rounds keeps a small saved state and still
finishes correctly: finished history leaves the live task tree (it is in the event log)."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from SpiffWorkflow.util.task import TaskState

from engine.bpmn import compaction
from engine.bpmn import runtime
from engine.bpmn import serializer
from engine.bpmn.compiler import compile_procedure

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
INCOMPLETE = {"dossier_complete": "no", "missing_items": "Giấy chứng sinh"}
SUPPLEMENTED = {"supplement_outcome": "received"}


def _compiled():
    folder = PROCESSES / "newborn_bundle"
    files = {f.name: f.read_bytes() for f in folder.iterdir() if f.name != "metadata.json"}
    return compile_procedure(files, "newborn_bundle")


def _step(state: str, compiled, data: dict, element_id: str) -> str:
    workflow = serializer.load(state, compiled)
    ready = {r.step.element_id: r for r in runtime.ready_steps(workflow, compiled)}
    runtime.complete(workflow, ready[element_id].spiff_task_id, data)
    return serializer.dump(workflow)


def test_saved_state_stays_flat_over_sixty_supplement_rounds_and_the_dossier_still_finishes():
    compiled = _compiled()
    state = serializer.dump(runtime.start(compiled, {"applicant": {"full_name": "Lê Văn Cường"}}))
    sizes = []
    for _ in range(60):
        state = _step(state, compiled, INCOMPLETE, "check_dossier")
        state = _step(state, compiled, SUPPLEMENTED, "receive_supplement")
        sizes.append(len(state))
    # compaction waits for MIN_REMOVABLE finished tasks, so the size swings round to round:
    # compare the largest of the last rounds with the largest of the early ones
    assert max(sizes[-10:]) <= max(sizes[2:12]) * 1.2
    state = _step(state, compiled, {"dossier_complete": "yes"}, "check_dossier")
    state = _step(
        state,
        compiled,
        {"birth_registration_number": "12/2026", "child_personal_id": "001226000123"},
        "register_birth",
    )
    state = _step(
        state,
        compiled,
        {"residence_address": "Thôn 3, xã Tân Hòa", "residence_notice_number": "45"},
        "register_residence",
    )
    state = _step(
        state,
        compiled,
        {"social_security_number": "0123456789", "card_valid_from": "2026-11-23"},
        "issue_health_insurance_card",
    )
    state = _step(state, compiled, {"delivery_method": "in_person"}, "return_results")
    finished = serializer.load(state, compiled)
    assert runtime.is_completed(finished)
    assert runtime.outcome(finished) == "result_returned"


def test_data_entered_before_the_loop_is_still_seen_after_history_is_dropped():
    compiled = _compiled()
    state = serializer.dump(runtime.start(compiled, {"applicant": {"full_name": "Lê Văn Cường"}}))
    for _ in range(10):
        state = _step(state, compiled, INCOMPLETE, "check_dossier")
        state = _step(state, compiled, SUPPLEMENTED, "receive_supplement")
    workflow = serializer.load(state, compiled)
    ready = runtime.ready_steps(workflow, compiled)
    task = workflow.get_task_from_id(UUID(ready[0].spiff_task_id))
    assert task.data["applicant"] == {"full_name": "Lê Văn Cường"}
    assert task.data["supplement_outcome"] == "received"


def _every_lineage_common_ancestor(live) -> UUID | None:
    """Every live task's lineage intersected: the definition the fast walk must agree with."""
    lineages = [compaction._lineage(task) for task in live]
    shared = set.intersection(*(set(lineage) for lineage in lineages))
    return next((task_id for task_id in lineages[0] if task_id in shared), None)


def test_the_cut_point_found_from_the_branch_tops_is_that_of_every_live_task():
    """Checked before each step of the parallel path, where live tasks sit in several branches
    and SpiffWorkflow's predicted tasks below them."""
    compiled = _compiled()
    workflow = runtime.start(compiled, {"applicant": {"full_name": "Lê Văn Cường"}})
    path = [
        ("check_dossier", {"dossier_complete": "yes"}),
        ("register_birth", {"birth_registration_number": "1/2026", "child_personal_id": "0"}),
        ("register_residence", {"residence_address": "Thôn 3", "residence_notice_number": "4"}),
        ("issue_health_insurance_card", {"social_security_number": "1", "card_valid_from": ""}),
    ]
    for element_id, data in path:
        live = [t for t in workflow.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
        assert len(live) > 1
        assert compaction._lowest_common_ancestor(live) == _every_lineage_common_ancestor(live)
        ready = {r.step.element_id: r for r in runtime.ready_steps(workflow, compiled)}
        runtime.complete(workflow, ready[element_id].spiff_task_id, data)
