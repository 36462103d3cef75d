"""Messages run as raw SpiffWorkflow 3.2.0 runs them: the pools of a collaboration, and an answer
from outside to a conversation. Ours saves and reloads every step against a freshly parsed spec,
as another worker or a restarted platform would; raw SpiffWorkflow runs the whole walk in one
process with its own specs. Same steps done, same final data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import runtime
from engine.bpmn import serializer
from engine.bpmn.compiler import compile_procedure

CONSTRUCTS = Path(__file__).resolve().parent.parent / "data" / "constructs"
START = {"applicant": {"full_name": "Nguyễn Văn An"}}
STEP_DATA = {"check": {"request_number": "XM-0007"}, "verify_residence": {"resident": True}}
ANSWER = ("verification_answer", {"request_number": "XM-0007"}, {"verified": True})
"""The answer the conversation waits for: its name, its correlation, its payload."""


def ours(name: str, process_id: str | None, *, answer: Any = None) -> tuple[list[str], Any]:
    """Every ready step done, first by id; the answer delivered once nothing else is ready."""
    files = {f"{name}.bpmn": (CONSTRUCTS / f"{name}.bpmn").read_bytes()}
    state = serializer.dump(runtime.start(compile_procedure(files, process_id), dict(START)))
    done: list[str] = []
    for _ in range(10):
        compiled = compile_procedure(files, process_id)
        workflow = serializer.load(state, compiled)
        ready = runtime.ready_steps(workflow, compiled)
        if ready:
            first = min(ready, key=lambda item: item.spiff_task_id)
            element = first.step.element_id
            runtime.complete(workflow, first.spiff_task_id, dict(STEP_DATA.get(element, {})))
            done.append(element)
        elif answer is not None and runtime.awaited_events(workflow):
            assert runtime.deliver_message(workflow, *answer) != []
            done.append("answered")
        else:
            assert runtime.is_completed(workflow), "the walk stalls"
            return done, workflow.data
        state = serializer.dump(workflow)
    raise AssertionError("the walk did not end in 10 steps")


def raw(name: str, process_id: str | None, *, answer: Any = None) -> tuple[list[str], Any]:
    parser = SpiffBpmnParser()
    path = CONSTRUCTS / f"{name}.bpmn"
    parser.add_bpmn_xml(etree.parse(str(path)).getroot(), filename=path.name)
    if process_id is None:
        spec, subprocess_specs = parser.get_collaboration(name)
    else:
        spec, subprocess_specs = (
            parser.get_spec(process_id),
            parser.get_subprocess_specs(process_id),
        )
    workflow = BpmnWorkflow(spec, subprocess_specs)
    workflow.get_tasks(state=TaskState.READY)[0].data.update(START)
    workflow.do_engine_steps()
    done: list[str] = []
    while not workflow.completed:
        ready = [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]
        if ready:
            task = min(ready, key=lambda item: str(item.id))
            task.data.update(STEP_DATA.get(task.task_spec.bpmn_id, {}))
            task.run()
            done.append(task.task_spec.bpmn_id)
        else:
            message, correlation, payload = answer
            keys = {"verification": correlation}
            event = BpmnEvent(MessageEventDefinition(message), {**payload, **correlation}, keys)
            workflow.send_event(event)
            done.append("answered")
        workflow.do_engine_steps()
    return done, workflow.data


def test_the_pools_of_a_collaboration_run_as_spiffworkflow_runs_them():
    across_processes = ours("message_collaboration", None)

    assert across_processes[0] == ["check", "verify_residence", "register"]
    assert across_processes[1]["answer"] == {"resident": True, "checked": "Nguyễn Văn An"}
    assert across_processes == raw("message_collaboration", None)


def test_an_answer_to_a_conversation_lands_as_spiffworkflow_lands_it():
    across_processes = ours("message_conversation", "message_conversation", answer=ANSWER)

    assert across_processes[0] == ["check", "answered", "register"]
    assert across_processes[1]["answer"] == {"verified": True, "request_number": "XM-0007"}
    assert across_processes == raw("message_conversation", "message_conversation", answer=ANSWER)
