"""The SpiffWorkflow seam for timers: the due time of each waiting timer survives a save/load
round trip, and `fire_timers` fires by the caller's clock, not the machine's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.bpmn import runtime
from engine.bpmn import serializer
from engine.bpmn.compiler import compile_procedure
from engine.store.db import utcnow
from tests.background import BPMN_DIR


def compiled(process_id):
    files = {
        f"{process_id}.bpmn": (BPMN_DIR / f"{process_id}.bpmn").read_bytes(),
        "check_dossier.form.json": (BPMN_DIR / "check_dossier.form.json").read_bytes(),
    }
    return compile_procedure(files, process_id)


def reloaded(workflow, spec):
    return serializer.load(serializer.dump(workflow), spec)


def ready(workflow, spec):
    return sorted(item.step.element_id for item in runtime.ready_steps(workflow, spec))


def test_a_waiting_timer_keeps_its_due_time_through_save_and_load():
    spec = compiled("timer_follow_up")
    before = utcnow()
    workflow = runtime.start(spec, {})

    [timer] = runtime.waiting_timers(reloaded(workflow, spec))

    assert timer.element_id == "one_hour_passed"
    assert timer.due_at - before == pytest.approx(timedelta(hours=1), abs=timedelta(seconds=5))
    assert runtime.waiting_timers(workflow) == [timer]


def test_timers_fire_by_the_given_time_and_not_before():
    spec = compiled("timer_follow_up")
    workflow = reloaded(runtime.start(spec, {}), spec)
    [timer] = runtime.waiting_timers(workflow)

    assert runtime.fire_timers(workflow, timer.due_at - timedelta(seconds=1)) == []
    assert runtime.fire_timers(workflow, timer.due_at) == [timer]
    assert ready(workflow, spec) == ["check_dossier", "follow_up"]
    assert runtime.waiting_timers(workflow) == []


def test_a_cycle_timer_fires_once_per_round_then_stops():
    spec = compiled("timer_cycle")
    workflow = reloaded(runtime.start(spec, {}), spec)
    [first] = runtime.waiting_timers(workflow)

    runtime.fire_timers(workflow, first.due_at + timedelta(minutes=5))
    workflow = reloaded(workflow, spec)
    [second] = runtime.waiting_timers(workflow)
    runtime.fire_timers(workflow, second.due_at)

    assert second.due_at - first.due_at == timedelta(hours=1)
    assert ready(workflow, spec) == ["check_dossier", "follow_up", "follow_up"]
    assert runtime.waiting_timers(workflow) == []


def test_a_diagram_without_timers_says_so():
    spec = compiled("step_limit")
    assert runtime.uses_timers(runtime.start(spec, {})) is False
    assert runtime.uses_timers(runtime.start(compiled("timer_cycle"), {})) is True
