"""Accounts in the browser: an administrator finds an officer and disables the account after a
confirmation page (the officer's open browser is sent to the login page), then enables it; an
officer changes their own password and stays logged in."""

from __future__ import annotations

import pytest

from tests.browser.conftest import open_task
from tests.browser.conftest import screenshot
from tests.conftest import OFFICER_PASSWORD

pytestmark = pytest.mark.browser


def test_an_administrator_disables_an_account_after_confirming_and_enables_it_again(
    as_user, new_officer, live_server, chromium
):
    officer = as_user("canbo_moi", OFFICER_PASSWORD)
    admin = as_user("admin")
    admin.click("nav.mainnav >> text=Người dùng")
    admin.fill("input[name=q]", "do thi")
    admin.click("form.toolbar button[type=submit]")
    row = admin.locator("tr[data-user=canbo_moi]")
    assert "Đỗ Thị Hằng" in row.inner_text()
    assert "Đang hoạt động" in row.inner_text()
    screenshot(admin, "users")

    admin.click("[data-testid=disable-canbo_moi]")
    assert "không giữ việc nào" in admin.inner_text("main")
    screenshot(admin, "user-disable-confirm")
    admin.click("main form button[type=submit]")
    assert "Đã khoá tài khoản canbo_moi." in admin.inner_text(".flash.success")
    assert "Đã khoá" in admin.locator("tr[data-user=canbo_moi]").inner_text()

    officer.goto("/")
    assert "/login" in officer.url, "the disabled officer's session ended"

    admin.click("[data-testid=enable-canbo_moi]")
    assert "Đã mở khoá tài khoản canbo_moi." in admin.inner_text(".flash.success")
    assert as_user("canbo_moi", OFFICER_PASSWORD).url == f"{live_server}/"


def test_an_officer_changes_their_own_password_and_stays_logged_in(as_user, new_officer):
    officer = as_user("canbo_moi", OFFICER_PASSWORD)
    officer.click("text=Đổi mật khẩu")
    officer.fill("#f-current_password", OFFICER_PASSWORD)
    officer.fill("#f-new_password", "mat-khau-moi-2026")
    officer.fill("#f-repeat_password", "mat-khau-khac-2026")
    officer.click("main form button[type=submit]")
    assert "không khớp" in officer.inner_text("main")
    screenshot(officer, "account-password-refused")

    officer.fill("#f-current_password", OFFICER_PASSWORD)
    officer.fill("#f-new_password", "mat-khau-moi-2026")
    officer.fill("#f-repeat_password", "mat-khau-moi-2026")
    officer.click("main form button[type=submit]")
    assert "Đã đổi mật khẩu" in officer.inner_text(".flash.success")
    assert "Đỗ Thị Hằng" in officer.inner_text("[data-testid=who]")


def test_removing_a_role_asks_first_and_names_the_task_that_goes_back(
    as_user, new_officer, desk_at_birth
):
    officer = as_user("canbo_moi", OFFICER_PASSWORD)
    open_task(officer, desk_at_birth)
    officer.click("#claim-button")
    officer.wait_for_selector(".flash.success")
    admin = as_user("admin")
    admin.goto(f"/users/{new_officer['id']}/roles")
    admin.select_option("#f-role-0", "reception")

    admin.click("[data-testid=user-roles] button[type=submit]")

    confirm = admin.locator("[data-testid=confirm-roles]")
    assert "Công chức Tư pháp" in confirm.locator("[data-testid=removed-roles]").inner_text()
    assert desk_at_birth in confirm.locator("[data-testid=given-back]").inner_text()
    screenshot(admin, "user-roles-confirm")
    confirm.locator("button[type=submit]").click()
    assert "Đã cập nhật vai trò của canbo_moi." in admin.inner_text(".flash.success")
    assert "Công chức Tư pháp" not in admin.locator("tr[data-user=canbo_moi]").inner_text()
