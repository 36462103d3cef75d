"""Multi-instance steps ("each agency gives its opinion") run as SpiffWorkflow runs them whichever
process serves each step: here every step is served by a freshly parsed spec, as a second worker
or a restarted platform would, and the result must equal one process running the whole walk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.bpmn import runtime
from engine.bpmn import serializer
from engine.bpmn.compiler import CompiledProcedure
from engine.bpmn.compiler import compile_procedure

CONSTRUCTS = Path(__file__).resolve().parent.parent / "data" / "constructs"
AGENCIES = ["cong_an", "bhxh", "ho_tich"]


def compiled_fresh(process_id: str) -> CompiledProcedure:
    """A spec parsed anew, as in a process that never ran this version before."""
    files = {
        f"{process_id}.bpmn": (CONSTRUCTS / f"{process_id}.bpmn").read_bytes(),
        "opinion.form.json": (CONSTRUCTS / "opinion.form.json").read_bytes(),
    }
    return compile_procedure(files, process_id)


def walk(process_id: str, *, fresh_process_each_step: bool) -> tuple[list[str], dict[str, Any]]:
    """Complete whatever human step is ready, first by id, until none is; each step saved and
    reloaded. The steps done and the final data."""
    compiled = compiled_fresh(process_id)
    state = serializer.dump(runtime.start(compiled, {"agencies": list(AGENCIES)}))
    done: list[str] = []
    for _ in range(20):
        if fresh_process_each_step:
            compiled = compiled_fresh(process_id)
        workflow = serializer.load(state, compiled)
        ready = runtime.ready_steps(workflow, compiled)
        if not ready:
            assert runtime.is_completed(workflow), "the workflow stalls: no step ready, not ended"
            return done, dict(workflow.data)
        first = min(ready, key=lambda item: item.spiff_task_id)
        opinion = f"ý kiến {len(done) + 1}"
        runtime.complete(workflow, first.spiff_task_id, {"opinion": opinion})
        done.append(first.step.element_id)
        state = serializer.dump(workflow)
    raise AssertionError("the walk did not end in 20 steps")


@pytest.mark.parametrize("process_id", ["mi_parallel_user", "mi_sequential_user"])
def test_each_agency_answers_and_the_opinions_are_all_kept_across_processes(process_id):
    in_one_process = walk(process_id, fresh_process_each_step=False)
    across_processes = walk(process_id, fresh_process_each_step=True)

    assert in_one_process[0] == ["ask_agencies"] * len(AGENCIES) + ["decide"]
    assert len(in_one_process[1]["opinions"]) == len(AGENCIES)
    assert across_processes == in_one_process


def test_a_standard_loop_runs_its_step_three_times_across_processes():
    in_one_process = walk("standard_loop_user", fresh_process_each_step=False)
    across_processes = walk("standard_loop_user", fresh_process_each_step=True)

    assert in_one_process[0] == ["ask_agencies"] * 3 + ["decide"]
    assert across_processes == in_one_process
