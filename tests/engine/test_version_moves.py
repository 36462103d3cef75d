"""The mapping rules of a version move (engine.work.versions.move), on real diagrams and a real
database: what moves, what is refused and why, and that a refused move leaves the dossier as
it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine.catalogue.procedures import ProcedureMetadata
from engine.catalogue.procedures import publish
from engine.errors import Conflict
from engine.models import Dossier
from engine.models import Event
from engine.models import ProcedureVersion
from engine.models import Task
from engine.models import WorkflowState
from engine.store.db import utcnow
from engine.work import tasks
from engine.work.versions import move
from tests.background import open_steps
from tests.background import receive
from tests.background import timers_of
from tests.support.move_diagrams import Step
from tests.support.move_diagrams import chain

CODE = "move_rules"


def _publish(new_uow, designer, files, *, code=CODE):
    meta = ProcedureMetadata(
        code=code,
        name_vi="Thử chuyển",
        name_en="Move test",
        field="civil_status",
        time_limit=5,
        process_id=code,
    )
    with new_uow() as uow:
        return publish(uow, designer, meta, files).procedure.version


def _move(new_uow, dossier_id, number, mapping=None, *, code=CODE):
    with new_uow() as uow:
        uow.begin_write()
        session = uow.session
        dossier = session.scalars(select(Dossier).where(Dossier.id == dossier_id)).one()
        target = session.scalars(
            select(ProcedureVersion).where(
                ProcedureVersion.procedure_id == dossier.procedure_id,
                ProcedureVersion.number == number,
            )
        ).one()
        result = move(session, dossier, target, mapping=mapping or {}, actor_id=None, now=utcnow())
        uow.commit()
        return result


def _complete(new_uow, actor, dossier_id, element_id, data=None):
    with new_uow() as uow:
        task_id = uow.session.scalar(
            select(Task.id).where(
                Task.dossier_id == dossier_id, Task.element_id == element_id, Task.state == "open"
            )
        )
    with new_uow() as uow:
        return tasks.complete(uow, actor("admin"), task_id, data or {})


def _saved(new_uow, dossier_id):
    with new_uow() as uow:
        version = uow.session.scalar(
            select(ProcedureVersion.number)
            .join(Dossier, Dossier.procedure_version_id == ProcedureVersion.id)
            .where(Dossier.id == dossier_id)
        )
        state = uow.session.scalar(
            select(WorkflowState.state).where(WorkflowState.dossier_id == dossier_id)
        )
        return version, state


def test_a_removed_later_step_is_skipped_after_the_move(new_uow, actor):
    _publish(new_uow, actor("thietke"), chain(CODE, [Step("check"), Step("verify"), Step("sign")]))
    dossier = receive(new_uow, actor("tiepnhan1"), CODE)
    _publish(new_uow, actor("thietke"), chain(CODE, [Step("check"), Step("sign")]))

    moved = _move(new_uow, dossier.id, 2)
    _complete(new_uow, actor, dossier.id, "check")

    assert (moved.from_version, moved.to_version) == (1, 2)
    assert open_steps(new_uow, dossier.id) == ["sign"]
    with new_uow() as uow:
        events = uow.session.scalars(
            select(Event).where(Event.dossier_id == dossier.id, Event.kind == "migrated")
        ).all()
        assert [(e.detail["from_version"], e.detail["to_version"]) for e in events] == [(1, 2)]


def test_an_open_step_removed_in_the_target_is_refused_and_the_dossier_is_untouched(new_uow, actor):
    _publish(new_uow, actor("thietke"), chain(CODE, [Step("verify"), Step("sign")]))
    dossier = receive(new_uow, actor("tiepnhan1"), CODE)
    _publish(new_uow, actor("thietke"), chain(CODE, [Step("check"), Step("sign")]))
    before = _saved(new_uow, dossier.id)

    with pytest.raises(Conflict) as refused:
        _move(new_uow, dossier.id, 2)

    assert refused.value.params["reason"] == "missing_open"
    assert "verify" in refused.value.params["text"] and "v2" in refused.value.params["text"]
    assert _saved(new_uow, dossier.id) == before
    assert open_steps(new_uow, dossier.id) == ["verify"]


def test_a_mapping_moves_an_open_step_onto_its_replacement(new_uow, actor):
    _publish(new_uow, actor("thietke"), chain(CODE, [Step("verify"), Step("sign")]))
    dossier = receive(new_uow, actor("tiepnhan1"), CODE)
    _publish(
        new_uow,
        actor("thietke"),
        chain(CODE, [Step("check", "Kiểm tra", role="civil_status"), Step("sign")]),
    )

    moved = _move(new_uow, dossier.id, 2, {"verify": "check"})

    assert moved.mapping == {"verify": "check"}
    with new_uow() as uow:
        row = uow.session.scalars(
            select(Task).where(Task.dossier_id == dossier.id, Task.state == "open")
        ).one()
        assert (row.element_id, row.name, row.role) == ("check", "Kiểm tra", "civil_status")
    _complete(new_uow, actor, dossier.id, "check")
    assert open_steps(new_uow, dossier.id) == ["sign"]


def test_a_renamed_step_keeps_its_task_under_the_new_name_and_limit(new_uow, actor):
    _publish(new_uow, actor("thietke"), chain(CODE, [Step("check", "Kiểm tra", limit="2d")]))
    dossier = receive(new_uow, actor("tiepnhan1"), CODE)
    _publish(new_uow, actor("thietke"), chain(CODE, [Step("check", "Thẩm tra", limit="1d")]))

    moved = _move(new_uow, dossier.id, 2)

    assert [change["element_id"] for change in moved.due_changed] == ["check"]
    with new_uow() as uow:
        row = uow.session.scalars(select(Task).where(Task.dossier_id == dossier.id)).one()
        assert row.name == "Thẩm tra"
        assert row.due_at.isoformat() == moved.due_changed[0]["to"]


def test_a_parallel_branch_half_done_moves_and_joins(new_uow, actor):
    fork = (Step("branch_a"), Step("branch_b"))
    _publish(new_uow, actor("thietke"), chain(CODE, [Step("check")], parallel=fork))
    dossier = receive(new_uow, actor("tiepnhan1"), CODE)
    _complete(new_uow, actor, dossier.id, "check")
    _complete(new_uow, actor, dossier.id, "branch_a")
    _publish(new_uow, actor("thietke"), chain(CODE, [Step("check"), Step("extra")], parallel=fork))

    _move(new_uow, dossier.id, 2)
    _complete(new_uow, actor, dossier.id, "branch_b")

    assert open_steps(new_uow, dossier.id) == []
    with new_uow() as uow:
        assert uow.session.get_one(Dossier, dossier.id).finished_at is not None


def test_a_finished_branch_the_join_still_needs_must_be_mapped(new_uow, actor):
    _publish(
        new_uow,
        actor("thietke"),
        chain(CODE, [Step("check")], parallel=(Step("branch_a"), Step("branch_b"))),
    )
    dossier = receive(new_uow, actor("tiepnhan1"), CODE)
    _complete(new_uow, actor, dossier.id, "check")
    _complete(new_uow, actor, dossier.id, "branch_a")
    _publish(
        new_uow,
        actor("thietke"),
        chain(CODE, [Step("check")], parallel=(Step("branch_c"), Step("branch_b"))),
    )

    with pytest.raises(Conflict) as refused:
        _move(new_uow, dossier.id, 2)
    assert (refused.value.params["reason"], refused.value.params["element_id"]) == (
        "missing_done",
        "branch_a",
    )
    _move(new_uow, dossier.id, 2, {"branch_a": "branch_c"})
    _complete(new_uow, actor, dossier.id, "branch_b")
    assert open_steps(new_uow, dossier.id) == []


CONSTRUCTS = Path(__file__).resolve().parents[1] / "data" / "constructs"
BPMN = Path(__file__).resolve().parent / "bpmn"


def _files(folder, process_id, form, *edits):
    text = (folder / f"{process_id}.bpmn").read_text()
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    return {f"{process_id}.bpmn": text.encode(), form: (folder / form).read_bytes()}


def test_a_step_moved_into_a_sub_process_is_refused_with_its_reason(new_uow, actor):
    code = "embedded_subprocess"
    _publish(
        new_uow,
        actor("thietke"),
        chain(code, [Step("check_dossier"), Step("check_again")]),
        code=code,
    )
    dossier = receive(new_uow, actor("tiepnhan1"), code)
    _complete(new_uow, actor, dossier.id, "check_dossier")
    _publish(new_uow, actor("thietke"), _files(BPMN, code, "check_dossier.form.json"), code=code)
    before = _saved(new_uow, dossier.id)

    with pytest.raises(Conflict) as refused:
        _move(new_uow, dossier.id, 2, code=code)

    assert refused.value.params["reason"] == "moved_into_subprocess"
    assert "second_look" in refused.value.params["text"]
    assert _saved(new_uow, dossier.id) == before


def test_a_waiting_timer_keeps_its_due_time_across_the_move(new_uow, actor):
    code = "timer_follow_up"
    files = _files(BPMN, code, "check_dossier.form.json")
    _publish(new_uow, actor("thietke"), files, code=code)
    dossier = receive(new_uow, actor("tiepnhan1"), code)
    [waiting] = [t for t in timers_of(new_uow, dossier.id) if t.state == "waiting"]
    renamed = _files(BPMN, code, "check_dossier.form.json", ("Kiểm tra hồ sơ", "Xét hồ sơ"))
    _publish(new_uow, actor("thietke"), renamed, code=code)

    _move(new_uow, dossier.id, 2, code=code)

    after = [t for t in timers_of(new_uow, dossier.id) if t.state == "waiting"]
    assert [(t.spiff_task_id, t.due_at, t.element_id) for t in after] == [
        (waiting.spiff_task_id, waiting.due_at, waiting.element_id)
    ]


def test_a_loop_in_its_second_round_keeps_its_count_after_the_move(new_uow, actor):
    code = "standard_loop_user"
    _publish(new_uow, actor("thietke"), _files(CONSTRUCTS, code, "opinion.form.json"), code=code)
    dossier = receive(new_uow, actor("tiepnhan1"), code)
    _complete(new_uow, actor, dossier.id, "ask_agencies", {"opinion": "Đồng ý"})
    renamed = _files(CONSTRUCTS, code, "opinion.form.json", ("Quyết định", "Lãnh đạo quyết định"))
    _publish(new_uow, actor("thietke"), renamed, code=code)

    _move(new_uow, dossier.id, 2, code=code)
    _complete(new_uow, actor, dossier.id, "ask_agencies", {"opinion": "Đồng ý"})
    assert open_steps(new_uow, dossier.id) == ["ask_agencies"]
    _complete(new_uow, actor, dossier.id, "ask_agencies", {"opinion": "Đồng ý"})

    assert open_steps(new_uow, dossier.id) == ["decide"]
    with new_uow() as uow:
        name = uow.session.scalar(
            select(Task.name).where(Task.dossier_id == dossier.id, Task.state == "open")
        )
    assert name == "Lãnh đạo quyết định"
