"""A designer simplifies a procedure end to end in the studio, as the issue's leader asks: open
social allowance, remove a step and see the live check complain, fix it, simplify, save the
draft, publish it as version 2 with a note; a dossier received next runs on version 2."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_studio_modeler import lint_rows
from tests.browser.test_studio_modeler import open_modeler
from tests.browser.test_studio_modeler import select
from tests.browser.test_studio_modeler import shape

pytestmark = pytest.mark.browser

NOTE = "Bỏ bước xử lý trên hệ thống: trưởng phòng duyệt ngay sau khi hướng dẫn"


def test_a_designer_removes_a_step_saves_publishes_and_the_next_dossier_runs_on_it(
    as_user, new_uow, actor
):
    designer = as_user("thietke")
    open_modeler(designer)
    expect(lint_rows(designer)).to_have_count(0)

    select(designer, "result_returned")  # an end removed: the step before it leads nowhere
    designer.click(".djs-context-pad .entry[data-action=delete]")
    expect(lint_rows(designer)).not_to_have_count(0)
    assert designer.locator("#canvas .bjsl-overlay").count() > 0
    designer.click("#undo")  # fixed
    expect(lint_rows(designer)).to_have_count(0)

    select(designer, "process_dossier")  # the simplification: bpmn-js joins its neighbours
    designer.click(".djs-context-pad .entry[data-action=delete]")
    expect(shape(designer, "process_dossier")).to_have_count(0)
    designer.click("#save")
    expect(designer.locator("#studio-status")).to_contain_text("Đã lưu")
    designer.once("dialog", lambda dialog: dialog.accept(NOTE))
    designer.click("#publish")
    expect(designer.locator("#studio-status")).to_contain_text("Đã công bố phiên bản 2")
    screenshot(designer, "studio-published")

    from engine.dossiers.receive import Submission
    from engine.dossiers.receive import submit
    from engine.queries.procedures import get_procedure

    receptionist = actor("tiepnhan1")
    with new_uow() as uow:
        published = get_procedure(uow.session, "social_allowance")
    with new_uow() as uow:
        dossier = submit(
            uow,
            receptionist,
            Submission(
                procedure_code="social_allowance",
                applicant={"full_name": "Hoàng Văn Tú", "id_number": "001234567899"},
                channel="in_person",
                data={},
            ),
        )
    assert (published.version, published.note, published.source) == (2, NOTE, "studio")
    assert 'id="process_dossier"' not in published.bpmn_xml
    assert dossier.procedure_version == 2
    assert [task.element_id for task in dossier.tasks] == ["verify_beneficiary"]
