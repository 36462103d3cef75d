"""Steps inside an embedded sub-process are tasks like any other: they open in the inbox when
the sub-process starts, and completing the last one finishes the dossier's process."""

from __future__ import annotations

from engine.models import Dossier
from engine.work import tasks
from tests.background import open_steps
from tests.background import publish_fixture
from tests.background import receive


def test_a_step_inside_an_embedded_sub_process_opens_and_completes(new_uow, actor):
    code = publish_fixture(new_uow, actor("thietke"), "embedded_subprocess")
    dossier = receive(new_uow, actor("tiepnhan1"), code)
    first = next(t for t in dossier.tasks if t.element_id == "check_dossier")

    with new_uow() as uow:
        opened = tasks.complete(uow, actor("tiepnhan1"), first.id, {"dossier_complete": "yes"})
    assert [view.element_id for view in opened] == ["check_again"]
    with new_uow() as uow:
        last = tasks.complete(uow, actor("tiepnhan1"), opened[0].id, {"dossier_complete": "yes"})

    assert last == []
    assert open_steps(new_uow, dossier.id) == []
    with new_uow() as uow:
        assert uow.session.get_one(Dossier, dossier.id).finished_at is not None
