"""Refusal, withdrawal and stop end the dossier cleanly: the workflow is cancelled, no task is left
in any inbox, and the ending is recorded with its reason."""

from __future__ import annotations

import pytest

from engine.bpmn import runtime
from engine.bpmn import serializer
from engine.bpmn.versions import compiled_for
from engine.models import Dossier
from engine.models import WorkflowState
from tests.api.lifecycle import REASON
from tests.api.lifecycle import act
from tests.api.lifecycle import kinds
from tests.api.lifecycle import last
from tests.api.lifecycle import open_tasks_anywhere

ENDINGS = [
    ("refuse", "refused", 3, "tiepnhan1"),
    ("withdraw", "withdrawn", 7, "tiepnhan1"),
    ("stop", "stopped", 8, "lanhdao1"),
]


def in_parallel_agencies(desk):
    """A newborn dossier with two open tasks in two agencies."""
    dossier_id = desk.receive()["id"]
    desk.work_newborn(dossier_id, "check_dossier", "register_birth")
    return dossier_id


@pytest.mark.parametrize(("action", "status", "code", "by"), ENDINGS)
def test_an_ending_leaves_no_open_task_in_any_inbox(desk, action, status, code, by):
    dossier_id = in_parallel_agencies(desk)
    assert sorted(open_tasks_anywhere(desk, dossier_id)) != []
    residence = desk.task_id(dossier_id, "register_residence")

    response = act(desk, dossier_id, action, {"reason": REASON}, by=by)

    assert response.status_code == 200, response.json
    ended = desk.dossier(dossier_id)
    assert (ended["status"], ended["status_code"]) == (status, code)
    assert ended["finished_at"] is not None
    assert ended["tasks"] == []
    assert open_tasks_anywhere(desk, dossier_id) == []
    assert last(ended["history"], status)["detail"] == {"reason": REASON}
    assert last(ended["history"], "status_changed")["detail"] == {
        "from": "processing",
        "to": status,
        "reason": REASON,
    }
    assert kinds(ended["history"]).count("task_cancelled") == 2
    late = desk.complete(residence, {"residence_address": "x"}, by="congan1")
    assert late.status_code == 409


@pytest.mark.parametrize(("action", "status", "code", "by"), ENDINGS)
def test_an_ended_dossier_refuses_every_further_action(desk, action, status, code, by):
    dossier_id = desk.receive()["id"]
    act(desk, dossier_id, action, {"reason": REASON}, by=by)

    for again in ("refuse", "withdraw", "stop"):
        response = act(desk, dossier_id, again, {"reason": REASON}, by="tiepnhan1")
        assert response.status_code == 409, again
        assert status in response.json["detail"]
    supplement = {"reason": REASON, "items": ["x"]}
    assert act(desk, dossier_id, "supplement-request", supplement, by="tiepnhan1").status_code == (
        409
    )


def test_the_workflow_itself_is_cancelled(desk, new_uow):
    dossier_id = in_parallel_agencies(desk)
    assert act(desk, dossier_id, "refuse", {"reason": REASON}, by="congan1").status_code == 200

    with new_uow() as uow:
        dossier = uow.session.get_one(Dossier, dossier_id)
        state = uow.session.get_one(WorkflowState, dossier_id)
        compiled = compiled_for(uow.session, dossier.spec_key, dossier.procedure_version_id)
        workflow = serializer.load(state.state, compiled)
    assert runtime.is_completed(workflow)
    assert runtime.ready_steps(workflow, compiled) == []


@pytest.mark.parametrize(
    ("action", "outsider"),
    [("refuse", "tiepnhan2"), ("refuse", "ldxh1"), ("withdraw", "hotich1"), ("stop", "bhxh2")],
)
def test_only_staff_of_the_dossier_may_end_it(desk, action, outsider):
    dossier_id = in_parallel_agencies(desk)
    response = act(desk, dossier_id, action, {"reason": REASON}, by=outsider)
    assert response.status_code == 403
    assert desk.dossier(dossier_id)["status"] == "processing"


def test_an_ending_needs_a_reason(desk):
    dossier_id = desk.receive()["id"]
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        assert act(desk, dossier_id, "refuse", body, by="tiepnhan1").status_code == 422, body
    assert desk.dossier(dossier_id)["status"] == "received"


def test_a_dossier_waiting_for_a_supplement_may_be_withdrawn(desk):
    dossier_id = desk.receive()["id"]
    act(desk, dossier_id, "supplement-request", {"reason": REASON, "items": ["x"]}, by="tiepnhan1")

    response = act(desk, dossier_id, "withdraw", {"reason": "Công dân rút"}, by="tiepnhan1")

    assert response.json["status"] == "withdrawn"
    assert response.json["supplement"] is None
