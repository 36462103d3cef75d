"""Create, advance and inspect workflow instances; engine failures become WorkflowIncident."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import DurationTimerEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import EventBasedGateway
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import script_output
from engine.bpmn.compiler import CompiledProcedure
from engine.bpmn.compiler import HumanStep
from engine.bpmn.sandbox import SCRIPT_ENGINE
from engine.errors import Conflict
from engine.errors import WorkflowIncident

Workflow = BpmnWorkflow
"""The instance type, for modules outside this seam that pass one along."""


@dataclass(frozen=True)
class ReadyStep:
    spiff_task_id: str
    step: HumanStep
    item: dict[str, Any] | None = None
    """For one instance of a multi-instance step: its input item's name and value."""


def start(compiled: CompiledProcedure, data: dict[str, Any]) -> BpmnWorkflow:
    workflow = new(compiled)
    begin(workflow, data)
    return workflow


def new(compiled: CompiledProcedure) -> BpmnWorkflow:
    """An instance not started yet: `begin` runs it to its first waits."""
    return BpmnWorkflow(compiled.spec, compiled.subprocess_specs, script_engine=SCRIPT_ENGINE)


def begin(workflow: BpmnWorkflow, data: dict[str, Any]) -> None:
    """Start a new instance with the dossier's data and run it until it waits."""
    first = workflow.get_tasks(state=TaskState.READY)[0]
    first.data.update(data)
    _advance(workflow)


def complete(workflow: BpmnWorkflow, spiff_task_id: str, data: dict[str, Any]) -> None:
    task = workflow.get_task_from_id(UUID(spiff_task_id))
    if task is None or task.state != TaskState.READY:
        raise Conflict("this step is no longer waiting to be done", spiff_task_id=spiff_task_id)
    task.data.update(data)
    try:
        task.run()
    except SpiffWorkflowException as exc:
        raise WorkflowIncident(f"the step failed: {exc}{_printed(workflow)}") from exc
    except Exception as exc:  # as in _advance: the dossier's incident, never a server error
        message = f"the step failed: {type(exc).__name__}: {exc}{_printed(workflow)}"
        raise WorkflowIncident(message) from exc
    _advance(workflow)


def _advance(workflow: BpmnWorkflow) -> None:
    """Run the engine until it waits. Any failure in there (a designer's script, a task type
    SpiffWorkflow cannot run, SpiffWorkflow's own error path failing) is the dossier's incident,
    never a server error."""
    try:
        workflow.do_engine_steps()
    except SpiffWorkflowException as exc:
        raise WorkflowIncident(f"the workflow cannot advance: {exc}{_printed(workflow)}") from exc
    except Exception as exc:  # any other failure, as the docstring says
        message = f"the workflow cannot advance: {type(exc).__name__}: {exc}{_printed(workflow)}"
        raise WorkflowIncident(message) from exc


def _printed(workflow: BpmnWorkflow) -> str:
    """What the scripts printed before the failure: nothing of the step is saved, so the
    incident's message is where a designer reads it."""
    return script_output.as_note(script_output.take(workflow))


def ready_steps(workflow: BpmnWorkflow, compiled: CompiledProcedure) -> list[ReadyStep]:
    """The human steps waiting to be done, in the order their tasks were created. A flat scan
    of the instance's and its sub-processes' tasks: SpiffWorkflow's tree iterator costs more
    than the few dozen tasks it would visit."""
    ready = []
    for tasks in (workflow.tasks, *(sub.tasks for sub in workflow.subprocesses.values())):
        for task in tasks.values():
            if task.state != TaskState.READY or not task.task_spec.manual:
                continue
            step = compiled.steps.get(task.task_spec.bpmn_id)
            if step is not None:
                ready.append(ReadyStep(str(task.id), step, _item_of(task)))
    return ready


def _item_of(task: Any) -> dict[str, Any] | None:
    """The item a multi-instance step's instance works on (SpiffWorkflow sets the input item
    in the child's data when it creates it); None for any other task."""
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, MultiInstanceTask):
        return None
    input_item = parent.task_spec.input_item
    if input_item is None or parent.task_spec.task_spec != task.task_spec.name:
        return None  # the step after the multi-instance one hangs under it too
    name = input_item.bpmn_id
    return {"name": input_item.bpmn_name or name, "value": task.data.get(name)}


def is_completed(workflow: BpmnWorkflow) -> bool:
    return bool(workflow.completed)


def stalls(workflow: BpmnWorkflow, ready: list[ReadyStep]) -> bool:
    """Whether an unfinished instance waits on nothing that could move it: no human step ready
    (`ready`, from `ready_steps`) and no event (timer, message, signal, condition) awaited. Such
    a dossier would sit in its status forever; the step sequence refuses it as an incident."""
    if workflow.completed or ready:
        return False
    for tasks in (workflow.tasks, *(sub.tasks for sub in workflow.subprocesses.values())):
        for task in tasks.values():
            if task.state == TaskState.WAITING and isinstance(task.task_spec, CatchingEvent):
                return False
    return True


def outcome(workflow: BpmnWorkflow) -> str | None:
    """The `outcome` property of the end event the workflow finished on, if any."""
    for task in workflow.get_tasks(state=TaskState.COMPLETED, spec_class=EndEvent):
        value = (task.task_spec.extensions.get("properties") or {}).get("outcome")
        if value and task.workflow is workflow:
            return str(value)
    return None


def cancel(workflow: BpmnWorkflow) -> None:
    """End the instance where it stands: every unfinished task (and subprocess) cancelled."""
    workflow.cancel()


@dataclass(frozen=True)
class WaitingTimer:
    spiff_task_id: str
    element_id: str
    name: str
    due_at: datetime


def uses_timers(workflow: BpmnWorkflow) -> bool:
    """Whether the diagram has any timer event at all: most have none, and need no timer rows."""
    specs = [workflow.spec, *workflow.subprocess_specs.values()]
    return any(
        _timer_of(getattr(task_spec, "event_definition", None)) is not None
        for spec in specs
        for task_spec in spec.task_specs.values()
    )


def _timer_of(definition: Any) -> TimerEventDefinition | None:
    """The timer an event waits on: its own definition, or the timer among an event-based
    gateway's (SpiffWorkflow gathers the gateway's events into one multiple definition and
    keeps the timer's due time on the gateway's task)."""
    if isinstance(definition, TimerEventDefinition):
        return definition
    if isinstance(definition, MultipleEventDefinition):
        return next(
            (
                item
                for item in definition.event_definitions
                if isinstance(item, TimerEventDefinition)
            ),
            None,
        )
    return None


def waiting_timers(workflow: BpmnWorkflow) -> list[WaitingTimer]:
    """The timer events the instance waits on, each with the due time SpiffWorkflow fixed for it
    when the timer was reached (it survives the save/load round trip)."""
    timers = []
    for task in workflow.event_manager.tasks.values():
        definition = _timer_of(task.task_spec.event_definition)
        if definition is None or task.state != TaskState.WAITING:
            continue
        due = _timer_due(task, definition)
        if due is not None:
            element = _timer_element(task.task_spec, definition)
            name = element.bpmn_name or element.bpmn_id
            timers.append(WaitingTimer(str(task.id), element.bpmn_id, name, due))
    return sorted(timers, key=lambda timer: (timer.due_at, timer.spiff_task_id))


def _timer_element(task_spec: Any, definition: TimerEventDefinition) -> Any:
    """The timer event's own element: an event-based gateway holds its events' definitions in
    the order of its outputs, so the designer reads the timer's name, not the gateway's."""
    if isinstance(task_spec, EventBasedGateway):
        index = task_spec.event_definition.event_definitions.index(definition)
        if index < len(task_spec.outputs):
            return task_spec.outputs[index]
    return task_spec


def _timer_due(task: Any, definition: TimerEventDefinition) -> datetime | None:
    value = task.internal_data.get("event_value")
    if isinstance(definition, CycleTimerEventDefinition):
        if not isinstance(value, dict) or value.get("cycles") == 0:
            return None
        value = value.get("next")
    if not isinstance(value, str):
        return None
    try:
        due: datetime = TimerEventDefinition.get_datetime(value)
    except ValueError:
        return None
    return due


def fire_timers(workflow: BpmnWorkflow, now: datetime) -> list[WaitingTimer]:
    """Fire every timer due at `now` and run what follows them; return the timers fired.

    `now` is ours, not the engine's clock: a due timer is marked fired before `refresh_timers()`,
    so the sweep decides, and a time in the future (in tests) fires as it would then; timers the
    firing starts count from `now` too (see `_start_at`).
    """
    waiting = waiting_timers(workflow)
    due = [timer for timer in waiting if timer.due_at <= now]
    if not due:
        return []
    cycles = []
    for timer in due:
        task = workflow.get_task_from_id(UUID(timer.spiff_task_id))
        if isinstance(_timer_of(task.task_spec.event_definition), CycleTimerEventDefinition):
            value = task.internal_data["event_value"]
            value["next"] = _LONG_AGO  # the engine compares `next` with its own clock
            cycles.append((value, timer.due_at))
        else:
            task._set_internal_data(event_fired=True)
    try:
        workflow.refresh_timers()
    except SpiffWorkflowException as exc:
        raise WorkflowIncident(f"the timer cannot fire: {exc}") from exc
    for value, due_at in cycles:  # the next round counts from the due time, not from _LONG_AGO
        if value.get("cycles") != 0:
            value["next"] = (due_at + timedelta(seconds=value["duration"])).isoformat()
    _advance(workflow)
    _start_at(workflow, now, earlier={timer.spiff_task_id for timer in waiting})
    return due


def _start_at(workflow: BpmnWorkflow, now: datetime, *, earlier: set[str]) -> None:
    """SpiffWorkflow starts a duration (or a cycle without a start date) from its own clock:
    move the timers this firing started so they count from `now`. The same in production,
    where the sweep's `now` is the clock; in a test that fires at a later `now`, the timers
    that follow are due as they would be then."""
    skew = now - datetime.now(UTC)
    if abs(skew) < timedelta(seconds=1):
        return
    for timer in waiting_timers(workflow):
        if timer.spiff_task_id in earlier:
            continue
        task = workflow.get_task_from_id(UUID(timer.spiff_task_id))
        definition = _timer_of(task.task_spec.event_definition)
        value = task.internal_data.get("event_value")
        if isinstance(definition, DurationTimerEventDefinition) and isinstance(value, str):
            task.internal_data["event_value"] = (timer.due_at + skew).isoformat()
        elif isinstance(definition, CycleTimerEventDefinition) and _relative(definition):
            value["next"] = (timer.due_at + skew).isoformat()


def _relative(definition: CycleTimerEventDefinition) -> bool:
    """A cycle written as a literal without a start date (`"R3/PT1H"`): it starts when reached."""
    literal = definition.expression.strip().strip("'\"")
    parts = literal.split("/")
    return len(parts) == 2 and parts[1].startswith("P")


_LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC).isoformat()


@dataclass(frozen=True)
class AwaitedEvent:
    """A message, signal or condition the instance waits on, as the read side lists it and as a
    message from outside is matched against it."""

    spiff_task_id: str
    element_id: str
    """The catching element (for an event-based gateway, the event after it)."""
    kind: str
    """message, signal or condition."""
    name: str
    correlation: dict[str, Any] | None
    """A message's expected correlation values by property name, as its conversation fixed
    them (a message sent or received before); None while nothing fixed them, when
    SpiffWorkflow takes any message of that name."""


_KINDS: tuple[tuple[type, str], ...] = (
    (MessageEventDefinition, "message"),
    (SignalEventDefinition, "signal"),
    (ConditionalEventDefinition, "condition"),
)
_AWAITABLE = tuple(definition for definition, _kind in _KINDS)


def uses_events(workflow: BpmnWorkflow) -> bool:
    """Whether the diagram catches any message, signal or condition: most catch none, and need
    no awaited rows."""
    specs = [workflow.spec, *workflow.subprocess_specs.values()]
    return any(
        isinstance(task_spec, CatchingEvent) and _catchable(task_spec.event_definition, task_spec)
        for spec in specs
        for task_spec in spec.task_specs.values()
    )


def _catchable(definition: Any, task_spec: Any) -> list[tuple[Any, Any]]:
    """The (definition, element spec) pairs of what a catching task waits on: its own
    definition, or each of an event-based gateway's events (SpiffWorkflow moves them onto the
    gateway, in the order of its outputs)."""
    if isinstance(definition, MultipleEventDefinition):
        elements = task_spec.outputs if isinstance(task_spec, EventBasedGateway) else []
        pairs = []
        for index, item in enumerate(definition.event_definitions):
            element = elements[index] if index < len(elements) else task_spec
            pairs.extend(_catchable(item, element))
        return pairs
    return [(definition, task_spec)] if isinstance(definition, _AWAITABLE) else []


def awaited_events(workflow: BpmnWorkflow) -> list[AwaitedEvent]:
    """The messages, signals and conditions the instance (and every sub-process and pool of
    it) waits on now."""
    awaited = []
    for task in workflow.event_manager.tasks.values():
        if task.state != TaskState.WAITING:
            continue
        for definition, element in _catchable(task.task_spec.event_definition, task.task_spec):
            kind = next(kind for cls, kind in _KINDS if isinstance(definition, cls))
            name = definition.name or element.bpmn_name or element.bpmn_id
            correlation = _expected(task, definition) if kind == "message" else None
            awaited.append(AwaitedEvent(str(task.id), element.bpmn_id, kind, name, correlation))
    return sorted(awaited, key=lambda item: (item.spiff_task_id, item.element_id))


def _expected(task: Any, definition: MessageEventDefinition) -> dict[str, Any] | None:
    """The values SpiffWorkflow will require of the message's correlation keys: those the
    task's conversation holds (`catches` compares the keys of the message with these)."""
    held = task.workflow.correlations
    values = {
        prop.name: held[key][prop.name]
        for prop in definition.correlation_properties
        for key in prop.correlation_keys
        if prop.name in held.get(key, {})
    }
    return values or None


def deliver_message(
    workflow: BpmnWorkflow, name: str, correlation: dict[str, Any], payload: dict[str, Any]
) -> list[str]:
    """Hand a message from outside to the instance, as SpiffWorkflow catches one thrown by a
    process: each task waiting for it (whose conversation matches) catches it, then the engine
    runs until it waits. Returns the elements that caught it; none: nothing moved.

    `correlation` holds values by correlation property name. SpiffWorkflow works out a
    conversation's keys from the message's payload, so a declared property the payload lacks
    travels in it under its name."""
    definition = _waiting_definition(workflow, name, MessageEventDefinition)
    if definition is None:
        return []
    props = [prop for prop in definition.correlation_properties if prop.name in correlation]
    keys: dict[str, dict[str, Any]] = {}
    for prop in props:
        for key in prop.correlation_keys:
            keys.setdefault(key, {})[prop.name] = correlation[prop.name]
    carried = {**payload, **{prop.name: correlation[prop.name] for prop in props}}
    return _deliver(workflow, BpmnEvent(definition, payload=carried, correlations=keys))


def deliver_signal(workflow: BpmnWorkflow, name: str, payload: dict[str, Any]) -> list[str]:
    """Hand a signal from outside to the instance, as one thrown inside it: every task waiting
    for the signal `name` catches it. The elements that caught it; none: nothing moved."""
    definition = _waiting_definition(workflow, name, SignalEventDefinition)
    if definition is None:
        return []
    return _deliver(workflow, BpmnEvent(definition, payload=payload))


def _deliver(workflow: BpmnWorkflow, event: BpmnEvent) -> list[str]:
    definition, name = event.event_definition, event.event_definition.name
    kind = "signal" if isinstance(definition, SignalEventDefinition) else "message"
    try:
        manager = workflow.event_manager
        manager.update_collaboration(event)  # a pool this message starts now waits for it too
        catching = [
            element.bpmn_id
            for task in list(manager.tasks.values())
            if task.state == TaskState.WAITING and task.task_spec.catches(task, event)
            for item, element in _catchable(task.task_spec.event_definition, task.task_spec)
            if item == definition
        ]
        if catching:
            manager.catch(event, internal=False)
    except SpiffWorkflowException as exc:
        raise WorkflowIncident(f"the {kind} {name!r} cannot be received: {exc}") from exc
    except Exception as exc:  # a correlation expression failing on the payload, say
        raise WorkflowIncident(
            f"the {kind} {name!r} cannot be received: {type(exc).__name__}: {exc}"
        ) from exc
    if catching:
        _advance(workflow)
    return catching


def _waiting_definition(workflow: BpmnWorkflow, name: str, kind: type[Any]) -> Any:
    """The definition of the message or signal `name` as a waiting task holds it: SpiffWorkflow
    matches an event by its definition. None when nothing waits for it."""
    for task in workflow.event_manager.tasks.values():
        if task.state != TaskState.WAITING:
            continue
        for definition, _element in _catchable(task.task_spec.event_definition, task.task_spec):
            if isinstance(definition, kind) and definition.name == name:
                return definition
    return None
