"""Every construct diagram of tests/data/constructs/, driven through the API by two app instances
taking turns on one database (each call with the empty spec cache of a process that never saw
the diagram, and one of them restarted on the way), against raw SpiffWorkflow 3.2.0 running the
same file with the same data in one process: after every action the same steps are open, and at
the end the workflow is complete on both sides with the same data.

An action is what people and other systems do: an officer completes a step, another agency's
system sends a message, or time passes (the sweep fires due timers; raw SpiffWorkflow reads a
clock moved forward by as much)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.spiff.specs.event_definitions import SignalEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine.background import sweep
from engine.bpmn import compaction
from engine.bpmn import serializer
from engine.bpmn.compiler import compile_procedure
from engine.models import WorkflowState
from engine.store.db import utcnow
from tests.api.journeys import APPLICANT
from tests.api.journeys import CONSTRUCTS
from tests.api.journeys import Desk

OFFICER_OF_ROLE = {"reception": "tiepnhan1", "civil_status": "hotich1", "leader": "lanhdao1"}
SENDER = "lienthong"


@dataclass(frozen=True)
class Step:
    element_id: str
    data: dict[str, Any] = field(default_factory=dict)
    item: Any = None
    """For one instance of a multi-instance step: the item it works on."""


@dataclass(frozen=True)
class Message:
    name: str
    payload: dict[str, Any] = field(default_factory=dict)
    kind: str = "message"
    """or `signal`"""


@dataclass(frozen=True)
class Wait:
    hours: float


Action = Step | Message | Wait


@dataclass(frozen=True)
class Case:
    diagram: str
    start: dict[str, Any]
    actions: list[Action]
    status: str
    """The dossier's status at the end, from the end event's outcome."""
    decisions: str | None = None


OPINION = {"opinion": "Đồng ý"}
AGENCIES = ["Công an xã", "Bảo hiểm xã hội", "Tư pháp"]
IN_THREE_HOURS = (datetime.now(UTC) + timedelta(hours=3)).isoformat()

CASES = {
    "exclusive, parallel and inclusive gateways": Case(
        "gateways",
        {"copies": 3, "needs_police": True, "needs_insurance": True},
        [Step("approve_many"), Step("check_b"), Step("check_a")]
        + [Step("ask_insurance"), Step("ask_police")],
        "result_returned",
    ),
    "gateways' default flows": Case(
        "gateways",
        {"copies": 1, "needs_police": False, "needs_insurance": False},
        [Step("approve_few"), Step("check_a"), Step("check_b"), Step("note")],
        "result_returned",
    ),
    "script task, pre- and post-script": Case(
        "scripts", {"copies": 2}, [Step("review", {"reviewed": True})], "result_returned"
    ),
    "sub-process and call activity": Case(
        "subprocesses",
        {},
        [Step("verify_papers", {"papers_ok": True}), Step("sign_paper", {"signer": "Chủ tịch"})],
        "result_returned",
    ),
    "error end caught by a boundary": Case(
        "subprocesses",
        {},
        [Step("verify_papers", {"papers_ok": False}), Step("refuse")],
        "refused",
    ),
    "intermediate timer, step done in time": Case(
        "timers", {}, [Wait(0.5), Wait(1.1), Step("review")], "result_returned"
    ),
    "boundary timer interrupting a late step": Case(
        "timers", {}, [Wait(1.1), Wait(3.2), Step("escalate")], "result_returned"
    ),
    "date timer from the data, cycle boundary": Case(
        "timer_date_cycle",
        {"appointment": IN_THREE_HOURS, "reminders": 0},
        [Wait(3.1), Wait(4.15), Wait(5.2), Wait(6.3), Step("meet")],
        "result_returned",
    ),
    "signal caught by a boundary": Case(
        "signals", {}, [Step("collect_fee"), Step("issue")], "result_returned"
    ),
    "escalation boundary and event sub-process": Case(
        "escalations",
        {},
        [Step("draft"), Step("help"), Step("leader_note"), Step("finish")],
        "result_returned",
    ),
    "terminate end": Case("terminate_end", {}, [Step("refuse_now")], "refused"),
    "parallel multi-instance": Case(
        "mi_parallel_user",
        {"agencies": AGENCIES},
        [Step("ask_agencies", {"opinion": f"ý kiến {a}"}, item=a) for a in reversed(AGENCIES)]
        + [Step("decide", OPINION)],
        "result_returned",
    ),
    "sequential multi-instance": Case(
        "mi_sequential_user",
        {"agencies": AGENCIES},
        [Step("ask_agencies", {"opinion": f"ý kiến {a}"}, item=a) for a in AGENCIES]
        + [Step("decide", OPINION)],
        "result_returned",
    ),
    "standard loop": Case(
        "standard_loop_user",
        {},
        [Step("ask_agencies", {"opinion": f"lần {n}"}) for n in range(1, 4)]
        + [Step("decide", OPINION)],
        "result_returned",
    ),
    "event gateway, the message first": Case(
        "event_gateway_deadline",
        {},
        [Step("ask"), Message("supplement_received", {"papers": 2}), Step("check_supplement")],
        "result_returned",
    ),
    "event gateway, the deadline first": Case(
        "event_gateway_deadline", {}, [Step("ask"), Wait(1.1), Step("refuse_late")], "refused"
    ),
    "signal from another system": Case(
        "signal_from_outside",
        {},
        [Step("check"), Message("fee_paid_online", {"amount": 50000}, "signal"), Step("issue")],
        "result_returned",
    ),
    "decision table": Case(
        "sandbox_dmn", {"age": 30}, [Step("collect_fee")], "result_returned", "sandbox_dmn"
    ),
    "plain task": Case("plain_task", {}, [Step("sign")], "result_returned"),
    "ends at submission": Case("ends_at_submit", {}, [], "processed"),
}


@dataclass
class Walk:
    """What one side saw: after the receipt and after each action, the open steps and every
    element run so far (scripts, gateways, events: how many times each); the final data,
    whether the workflow completed."""

    open_steps: list[list[tuple[str, Any]]] = field(default_factory=list)
    ran: list[list[str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    completed: bool = False

    def saw(self, open_steps: list[tuple[str, Any]], workflow: BpmnWorkflow) -> None:
        self.open_steps.append(open_steps)
        self.ran.append(
            sorted(
                task.task_spec.bpmn_id
                for task in workflow.get_tasks(state=TaskState.COMPLETED)
                if task.task_spec.bpmn_id
            )
        )


def start_data(case: Case) -> dict[str, Any]:
    """What the receipt hands the workflow: the applicant, the channel, the form's data."""
    return {"applicant": APPLICANT, "channel": "in_person", **case.start}


def diagram_files(case: Case) -> dict[str, bytes]:
    files = {f"{case.diagram}.bpmn": (CONSTRUCTS / f"{case.diagram}.bpmn").read_bytes()}
    files.update({form.name: form.read_bytes() for form in CONSTRUCTS.glob("*.form.json")})
    if case.decisions:
        files[f"{case.decisions}.dmn"] = (CONSTRUCTS / f"{case.decisions}.dmn").read_bytes()
    return files


def ours(case: Case, desk: Desk, workers: Callable[[], Desk], new_uow: Any) -> tuple[Walk, str]:
    assert desk.publish_construct(case.diagram, decisions=case.decisions).status_code == 201
    dossier_id = workers().receive(case.diagram, data=case.start)["id"]
    compiled = compile_procedure(diagram_files(case), case.diagram)
    walk = Walk()

    def saved() -> BpmnWorkflow:
        with new_uow() as uow:
            state = uow.session.scalar(
                select(WorkflowState.state).where(WorkflowState.dossier_id == dossier_id)
            )
        return serializer.load(state, compiled)

    walk.saw(open_steps(workers(), dossier_id), saved())
    for action in case.actions:
        worker = workers()
        if isinstance(action, Step):
            [task] = [
                task
                for task in worker.dossier(dossier_id, by="admin")["tasks"]
                if task["element_id"] == action.element_id
                and (task["item"] or {}).get("value") == action.item
            ][:1]
            officer = OFFICER_OF_ROLE[task["role"]]
            response = worker.complete(task["id"], action.data, by=officer)
            assert response.status_code == 200, response.json
        elif isinstance(action, Message):
            code = worker.dossier(dossier_id)["code"]
            message = {
                "name": action.name,
                "correlation": {"dossier_code": code},
                "payload": action.payload,
                "message_id": f"{code}-{action.name}",
                "kind": action.kind,
            }
            response = worker.post("/api/v1/messages", message, by=SENDER)
            assert response.status_code == 200, response.json
        else:
            report = sweep.sweep(new_uow, now=utcnow() + timedelta(hours=action.hours))
            assert (report.errors, report.timer_failures) == (0, 0), report
        walk.saw(open_steps(workers(), dossier_id), saved())
    workflow = saved()
    walk.data, walk.completed = dict(workflow.data), bool(workflow.completed)
    return walk, workers().dossier(dossier_id)["status"]


def open_steps(worker: Desk, dossier_id: int) -> list[tuple[str, Any]]:
    tasks = worker.dossier(dossier_id, by="admin")["tasks"]
    return sorted((task["element_id"], (task["item"] or {}).get("value")) for task in tasks)


@contextmanager
def clock_moved(by: list[timedelta]) -> Iterator[None]:
    """SpiffWorkflow's timers read `datetime.now`; here it reads the real clock plus `by[0]`."""

    class MovedClock(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return datetime.now(tz) + by[0]

    real = spiff_timer.datetime
    spiff_timer.datetime = MovedClock
    try:
        yield
    finally:
        spiff_timer.datetime = real


def raw(case: Case) -> Walk:
    parser = SpiffBpmnParser()
    for name, content in diagram_files(case).items():
        if name.endswith(".bpmn"):
            parser.add_bpmn_xml(etree.fromstring(content), filename=name)
        elif name.endswith(".dmn"):
            parser.add_dmn_xml(etree.fromstring(content), filename=name)
    spec = parser.get_spec(case.diagram)
    workflow = BpmnWorkflow(spec, parser.get_subprocess_specs(case.diagram))
    offset = [timedelta(0)]
    walk = Walk()
    with clock_moved(offset):
        workflow.get_tasks(state=TaskState.READY)[0].data.update(start_data(case))
        run_until_waiting(workflow)
        walk.saw(raw_open_steps(workflow), workflow)
        for action in case.actions:
            if isinstance(action, Step):
                [task] = [
                    task
                    for task in raw_ready(workflow)
                    if task.task_spec.bpmn_id == action.element_id and item_of(task) == action.item
                ][:1]
                task.data.update(action.data)
                task.run()
            elif isinstance(action, Message):
                definition = (
                    SignalEventDefinition if action.kind == "signal" else MessageEventDefinition
                )
                workflow.send_event(BpmnEvent(definition(action.name), action.payload))
            else:
                offset[0] = timedelta(hours=action.hours)
                workflow.refresh_timers()
            run_until_waiting(workflow)
            walk.saw(raw_open_steps(workflow), workflow)
    walk.data, walk.completed = dict(workflow.data), bool(workflow.completed)
    return walk


def run_until_waiting(workflow: BpmnWorkflow) -> None:
    workflow.do_engine_steps()
    workflow.refresh_timers()
    workflow.do_engine_steps()


def raw_ready(workflow: BpmnWorkflow) -> list[Any]:
    return [t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]


def raw_open_steps(workflow: BpmnWorkflow) -> list[tuple[str, Any]]:
    return sorted((task.task_spec.bpmn_id, item_of(task)) for task in raw_ready(workflow))


def item_of(task: Any) -> Any:
    """The item a multi-instance step's instance works on, as raw SpiffWorkflow holds it."""
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, MultiInstanceTask):
        return None
    if parent.task_spec.task_spec != task.task_spec.name or parent.task_spec.input_item is None:
        return None
    return task.data.get(parent.task_spec.input_item.bpmn_id)


@pytest.mark.parametrize("name", list(CASES))
def test_the_construct_runs_here_as_raw_spiffworkflow_runs_it(name, desk, workers, new_uow):
    case = CASES[name]
    expected = raw(case)

    walk, status = ours(case, desk, workers, new_uow)

    assert expected.completed, "the case must end its walk"
    assert walk.open_steps == expected.open_steps
    assert walk.completed and status == case.status
    assert walk.data == expected.data


@pytest.mark.parametrize("name", list(CASES))
def test_every_element_runs_as_often_as_in_raw_spiffworkflow(
    name, desk, workers, new_uow, monkeypatch
):
    """Scripts, gateways, events, timer rounds: the same ones, as many times, after each action.
    The saved state keeps its finished tasks here (compaction, which cuts them once they are in
    the dossier's history, is tested on its own in tests/engine/test_compaction.py)."""
    monkeypatch.setattr(compaction, "MIN_REMOVABLE", 1_000_000)
    case = CASES[name]
    expected = raw(case)

    walk, _status = ours(case, desk, workers, new_uow)

    assert walk.ran == expected.ran
