"""The designer's procedures page in the browser: search the catalogue, create a procedure from
the starter template (a draft, opened in the modeler), find its draft line, discard it after
confirming."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_a_designer_searches_and_creates_a_procedure_from_the_template(as_user, live_server):
    designer = as_user("thietke")
    designer.click("[data-testid=nav-studio]")
    assert designer.locator("section.procedure").count() == 12  # the shipped catalogue
    designer.fill("[data-testid=studio-search]", "khai sinh")
    designer.click("form.toolbar button[type=submit]")
    assert designer.locator("section.procedure").count() == 1
    assert designer.locator("section[data-procedure=newborn_bundle]").is_visible()
    screenshot(designer, "studio-search")

    designer.click("#new-procedure summary")
    designer.fill("#f-code", "nhan_cha_me_con")
    designer.select_option("#f-field", "civil_status")
    designer.fill("#f-name_vi", "Đăng ký nhận cha, mẹ, con")
    designer.fill("#f-name_en", "Registration of parentage")
    designer.fill("#f-time_limit", "5")
    screenshot(designer, "studio-new-procedure")
    designer.click("[data-testid=create-procedure]")
    designer.wait_for_url(f"{live_server}/studio/nhan_cha_me_con/edit")

    designer.goto("/studio?q=nhận cha")
    card = designer.locator("section[data-procedure=nhan_cha_me_con]")
    assert "Bản nháp" in card.locator("tr[data-version=draft]").inner_text()
    assert "Chuyên viên thiết kế quy trình" in card.inner_text()
    screenshot(designer, "studio-draft")

    designer.once("dialog", lambda dialog: dialog.accept())
    designer.click("[data-testid=discard-nhan_cha_me_con]")
    designer.wait_for_selector("[data-testid=studio-empty]")
    assert "Không có thủ tục nào khớp với tìm kiếm." in designer.inner_text("main")
