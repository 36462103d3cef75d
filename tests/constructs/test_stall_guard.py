"""No dossier waits silently on nothing: an instance with no step anyone can be offered and no
event awaited is recognised, so the command that led there becomes an incident instead."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from engine.bpmn import runtime
from engine.bpmn.compiler import compile_procedure

CONSTRUCTS = Path(__file__).resolve().parent.parent / "data" / "constructs"


def plain_task():
    files = {"plain_task.bpmn": (CONSTRUCTS / "plain_task.bpmn").read_bytes()}
    return compile_procedure(files, "plain_task")


def test_an_instance_waiting_on_a_step_nobody_can_be_offered_stalls():
    compiled = plain_task()
    unknown_to_the_platform = replace(compiled, steps={})

    workflow = runtime.start(unknown_to_the_platform, {})

    assert runtime.stalls(workflow, runtime.ready_steps(workflow, unknown_to_the_platform))


def test_an_instance_with_a_step_ready_or_at_its_end_does_not_stall():
    compiled = plain_task()
    workflow = runtime.start(compiled, {})
    assert not runtime.stalls(workflow, runtime.ready_steps(workflow, compiled))

    [ready] = runtime.ready_steps(workflow, compiled)
    runtime.complete(workflow, ready.spiff_task_id, {})
    assert runtime.is_completed(workflow)
    assert not runtime.stalls(workflow, runtime.ready_steps(workflow, compiled))
