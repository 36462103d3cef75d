"""A parent on a phone follows the dossier with the code and key printed on the receipt."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PAPERS = ["Giấy chứng sinh (bản chính)", "Tờ khai đăng ký khai sinh"]


def test_a_parent_on_a_phone_reads_which_papers_to_bring_and_by_when(
    app, new_uow, actor, chromium, live_server
):
    from engine.dossiers.receive import Submission
    from engine.dossiers.receive import submit
    from engine.dossiers.supplements import request_supplement

    receptionist = actor("tiepnhan1")
    with new_uow() as uow:
        dossier = submit(
            uow,
            receptionist,
            Submission(
                procedure_code="newborn_bundle",
                applicant={"full_name": "Trần Thị Mai", "id_number": "001234567894"},
                channel="in_person",
                data={},
            ),
        )
    with new_uow() as uow:
        request_supplement(
            uow, receptionist, dossier.id, reason="Thiếu giấy chứng sinh bản chính", items=PAPERS
        )
    context = chromium.new_context(viewport=PHONE, base_url=live_server, locale="vi-VN")
    page = context.new_page()

    page.goto("/tra-cuu")
    page.fill("#f-code", dossier.code.lower())
    page.fill("#f-key", dossier.lookup_key)
    page.click("button[type=submit]")

    notice = page.locator("[data-testid=tracking-supplement]")
    assert notice.is_visible()
    assert [item.strip() for item in notice.locator("li").all_inner_texts()] == PAPERS
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "citizen-tracking-supplement-phone")
    context.close()
