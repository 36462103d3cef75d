"""A civil servant's day in the browser: receive, process in three agencies, return the result."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import choose
from tests.browser.conftest import complete
from tests.browser.conftest import field_input
from tests.browser.conftest import fill
from tests.browser.conftest import open_task
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n% giay chung sinh\n%%EOF\n"


def receive_newborn(page, name="Nguyễn Văn An", id_number="001234567890"):
    """Fill in the reception desk for a newborn dossier with one document; the dossier code."""
    page.goto("/reception")
    page.select_option("#f-procedure_code", "newborn_bundle")
    page.fill("#f-applicant-full_name", name)
    page.fill("#f-applicant-id_number", id_number)
    page.fill("#f-applicant-phone", "0912345678")
    page.check("input[name='paper.newborn_bundle'][value='1|1']")  # Giấy chứng sinh
    screenshot(page, "reception-checklist")
    page.fill("#label-0", "Giấy chứng sinh")
    page.set_input_files(
        "#file-0", files=[{"name": "chung-sinh.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.click("#receive-button")
    page.wait_for_url(re.compile(r"/dossiers/\d+\?received=1"))
    return page.inner_text("[data-testid=dossier-code]").strip()


def test_a_newborn_dossier_goes_from_reception_through_three_agencies_and_back(
    as_user, busy_reception
):
    reception = as_user("tiepnhan1")
    rows = reception.locator("table.inbox tbody tr")
    assert rows.count() == 3
    assert "row-overdue" in rows.nth(0).get_attribute("class")
    assert busy_reception["overdue"] in rows.nth(0).inner_text()
    assert "row-due_soon" in rows.nth(1).get_attribute("class")
    assert reception.inner_text("[data-count=overdue]") == "1"
    screenshot(reception, "inbox")
    reception.goto("/reception")
    screenshot(reception, "reception-desk")
    code = receive_newborn(reception)
    dossier_url = reception.url.split("?")[0]
    assert reception.get_attribute("[data-testid=slip-01]", "href").endswith("/slips/01")
    assert "Giấy chứng sinh" in reception.inner_text("[data-testid=documents]")

    open_task(reception, code)
    reception.click("#claim-button")
    reception.wait_for_selector("#task-form[data-ready=true]")
    assert "Nguyễn Thị Lan" in reception.inner_text("[data-testid=assignee]")
    empty_select = reception.locator("#task-form .fjs-select-placeholder").first
    assert empty_select.evaluate("e => getComputedStyle(e, '::before').content") == '"Chọn…"'
    choose(reception, "Kết quả kiểm tra hồ sơ", "Đầy đủ, hợp lệ")
    screenshot(reception, "task-check-dossier")
    complete(reception)

    civil_status = as_user("hotich1")
    open_task(civil_status, code)
    fill(civil_status, "Số đăng ký khai sinh", "15/2026")
    fill(civil_status, "Số định danh cá nhân của trẻ", "001226000015")
    screenshot(civil_status, "task-register-birth")
    complete(civil_status)
    assert "Đăng ký thường trú" in civil_status.inner_text(".flash.success")

    police, insurance = as_user("congan1"), as_user("bhxh1")
    open_task(police, code)
    open_task(insurance, code)
    fill(police, "Địa chỉ thường trú", "Thôn Đông, Xã Tân Hòa")
    fill(police, "Số thông báo kết quả đăng ký thường trú", "TT-0007")
    fill(insurance, "Mã số BHXH", "0126000015")
    fill(insurance, "Thẻ có giá trị từ ngày", "02/03/2026")  # the browser's vi-VN format
    calendar = insurance.locator("#task-form .flatpickr-calendar").first
    weekdays = calendar.locator(".flatpickr-weekday").all_inner_texts()
    assert [day.strip() for day in weekdays][:2] == ["T2", "T3"]  # Vietnamese, from Monday
    insurance.keyboard.press("Escape")
    complete(police)
    complete(insurance)

    open_task(reception, code)
    assert reception.locator(".djs-element.done-step").count() >= 4
    delivery = reception.locator("#task-form .fjs-select-display")  # as chosen at reception
    assert delivery.inner_text() == "Trực tiếp tại Trung tâm"
    screenshot(reception, "task-return-results")
    complete(reception)

    reception.goto(dossier_url)
    assert "Đã trả kết quả" in reception.inner_text("[data-testid=dossier-status]")
    history = reception.inner_text("[data-testid=history]")
    for step in ("Đăng ký khai sinh", "Đăng ký thường trú", "Cấp thẻ bảo hiểm y tế", "Trả kết quả"):
        assert step in history
    assert "Thẻ có giá trị từ ngày: 02/03/2026" in history
    screenshot(reception, "dossier")
    reception.goto(f"/?tab=queue&q={code}")
    assert reception.locator("tr", has_text=code).count() == 0


def test_a_wrong_child_id_is_shown_on_the_field_and_can_be_corrected(as_user, desk_at_birth):
    code = desk_at_birth
    civil_status = as_user("hotich1")
    open_task(civil_status, code)
    fill(civil_status, "Số đăng ký khai sinh", "15/2026")
    fill(civil_status, "Số định danh cá nhân của trẻ", "00122600001")
    civil_status.click("#complete-button")
    field = civil_status.locator(".fjs-form-field", has_text="Số định danh cá nhân của trẻ")
    assert field.locator(".fjs-form-field-error").is_visible()
    assert field.locator(".fjs-form-field-error").inner_text().strip() == "Không đúng định dạng."

    civil_status.evaluate(
        """() => {
            const form = document.getElementById('complete-form');
            document.getElementById('form-data').value = JSON.stringify(
                {birth_registration_number: '15/2026', child_personal_id: '00122600001'});
            HTMLFormElement.prototype.submit.call(form);
        }"""
    )
    civil_status.wait_for_selector("#task-form[data-ready=true]")
    assert "Biểu mẫu có lỗi" in civil_status.inner_text("[data-testid=form-errors]")
    field = civil_status.locator(".fjs-form-field", has_text="Số định danh cá nhân của trẻ")
    assert field.locator(".fjs-form-field-error").is_visible()
    assert field_input(civil_status, "Số định danh cá nhân của trẻ").input_value() == "00122600001"
    assert field_input(civil_status, "Số đăng ký khai sinh").input_value() == "15/2026"
    screenshot(civil_status, "task-form-error")

    fill(civil_status, "Số định danh cá nhân của trẻ", "001226000015")
    complete(civil_status)


def test_a_user_of_another_unit_cannot_open_the_task(as_user, desk_at_birth, live_server):
    code = desk_at_birth
    civil_status = as_user("hotich1")
    open_task(civil_status, code)
    task_url = civil_status.url

    other = as_user("hotich2")
    response = other.goto(task_url)
    assert response.status == 403
    assert "Không có quyền truy cập" in other.inner_text("h1")
    assert "thuộc đơn vị khác" in other.inner_text("main")
    assert other.title().startswith("Không có quyền truy cập")
    screenshot(other, "forbidden")
    other.click(".btn-logout")
    other.wait_for_url("**/login")
    assert "Đã đăng xuất." in other.inner_text("main")
    screenshot(other, "login")
    civil_status.goto("/login?lang=en")
    screenshot(civil_status, "inbox-english")
