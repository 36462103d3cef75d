"""Accounts on the pages: changing my own password, and the administrators' user list where
accounts are found, disabled (after a confirmation page), enabled again and given a new password.
Everything through real requests, checked by what the user sees and whether logins work."""

from __future__ import annotations

import re

import pytest

from engine.access.roles import ROLE_LABELS
from tests.conftest import OFFICER_PASSWORD
from tests.pages.conftest import Browser
from tests.pages.test_login_security import EXPIRED

FIRST = OFFICER_PASSWORD
SECOND = "mat-khau-moi-2026"


@pytest.fixture
def officer(new_officer):
    """The id of canbo_moi, Đỗ Thị Hằng."""
    return new_officer["id"]


@pytest.fixture
def new_browser(app):
    """Another browser: its own cookies, its own page session."""
    return lambda: Browser(app.test_client())


def logs_in(new_browser, username, password):
    """Whether the login page lets this username and password in."""
    browser = new_browser()
    browser.get("/login")
    answer = browser.post("/login", {"username": username, "password": password})
    return answer.status_code == 302


def text(response):
    return response.get_data(as_text=True)


def row(page, username):
    match = re.search(rf'<tr data-user="{username}">(.*?)</tr>', page, re.S)
    assert match, f"no row for {username}"
    return match.group(1)


def sent_to_login(browser):
    response = browser.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    return text(browser.get(response.headers["Location"]))


def test_changing_my_password_keeps_me_logged_in_here_and_ends_my_other_browser(
    browser, new_browser, officer
):
    browser.login("canbo_moi", FIRST)
    other = new_browser().login("canbo_moi", FIRST)
    form = text(browser.get("/account/password"))
    assert 'autocomplete="current-password"' in form and 'autocomplete="new-password"' in form

    changed = browser.post(
        "/account/password",
        {"current_password": FIRST, "new_password": SECOND, "repeat_password": SECOND},
    )

    assert changed.status_code == 302
    assert changed.headers["Location"] == "/"
    inbox = browser.get("/")
    assert inbox.status_code == 200
    assert "Đã đổi mật khẩu" in text(inbox)
    assert EXPIRED in sent_to_login(other)
    assert not logs_in(new_browser, "canbo_moi", FIRST)
    assert logs_in(new_browser, "canbo_moi", SECOND)


def test_a_wrong_current_password_is_refused_and_the_old_one_still_works(
    browser, new_browser, officer
):
    browser.login("canbo_moi", FIRST)
    browser.get("/account/password")

    refused = browser.post(
        "/account/password",
        {"current_password": "khong-dung", "new_password": SECOND, "repeat_password": SECOND},
    )

    assert refused.status_code == 422
    page = text(refused)
    assert "Mật khẩu hiện tại không đúng" in page
    assert "khong-dung" not in page and SECOND not in page, "passwords are never echoed"
    assert browser.get("/").status_code == 200, "still logged in"
    assert logs_in(new_browser, "canbo_moi", FIRST)
    assert not logs_in(new_browser, "canbo_moi", SECOND)


def test_a_mistyped_repeat_changes_nothing(browser, new_browser, officer):
    browser.login("canbo_moi", FIRST)
    browser.get("/account/password")

    refused = browser.post(
        "/account/password",
        {"current_password": FIRST, "new_password": SECOND, "repeat_password": SECOND + "x"},
    )

    assert refused.status_code == 422
    assert "Hai lần nhập mật khẩu mới không khớp." in text(refused)
    assert 'id="err-repeat_password"' in text(refused)
    assert logs_in(new_browser, "canbo_moi", FIRST)
    assert not logs_in(new_browser, "canbo_moi", SECOND)


def test_the_header_links_to_the_password_page_and_only_admins_see_the_users_link(browser):
    browser.login("lanhdao1")
    header = text(browser.get("/")).split("</header>")[0]
    assert 'href="/account/password"' in header
    assert 'href="/users"' not in header

    refused = browser.get("/users")
    assert refused.status_code == 403
    assert "Không có quyền truy cập" in text(refused)


def test_only_administrators_change_accounts_from_the_pages(browser, new_browser, officer):
    browser.login("lanhdao1")
    browser.get("/")
    assert browser.get(f"/users/{officer}/disable").status_code == 403
    assert browser.post(f"/users/{officer}/disable").status_code == 403
    assert browser.get(f"/users/{officer}/password").status_code == 403
    reset = browser.post(
        f"/users/{officer}/password", {"new_password": SECOND, "repeat_password": SECOND}
    )
    assert reset.status_code == 403
    assert logs_in(new_browser, "canbo_moi", FIRST)


def test_an_administrator_lists_accounts_and_finds_a_name_typed_without_accents(browser, officer):
    browser.login("admin", "admin")
    listing = text(browser.get("/users"))
    assert 'data-testid="users"' in listing
    assert 'href="/users"' in listing.split("</header>")[0]
    assert "hotich1" in listing and "Đang hoạt động" in listing

    found = text(browser.get("/users", query_string={"q": "do thi"}))

    assert re.findall(r'<tr data-user="([^"]+)"', found) == ["canbo_moi"]
    line = row(found, "canbo_moi")
    assert "Đỗ Thị Hằng" in line
    assert f"{ROLE_LABELS['civil_status'][0]} @ C01" in line
    nobody = text(browser.get("/users", query_string={"q": "không có ai"}))
    assert "Không tìm thấy tài khoản nào." in nobody


def test_disabling_asks_first_then_shuts_the_user_out_and_enabling_lets_them_back(
    browser, new_browser, officer
):
    working = new_browser().login("canbo_moi", FIRST)
    browser.login("admin", "admin")
    listing = text(browser.get("/users", query_string={"q": "do thi"}))
    link = re.search(r'href="([^"]+)" data-testid="disable-canbo_moi"', row(listing, "canbo_moi"))
    assert link and link.group(1) == f"/users/{officer}/disable?q=do+thi"

    confirm = text(browser.get(link.group(1)))
    assert "Khoá tài khoản Đỗ Thị Hằng (canbo_moi)?" in confirm
    assert "Người này không giữ việc nào; không việc nào phải trả về hàng đợi." in confirm
    assert 'href="/users?q=do+thi"' in confirm, "a way back without disabling"
    assert logs_in(new_browser, "canbo_moi", FIRST), "opening the page changed nothing"

    disabled = browser.post(f"/users/{officer}/disable", {"q": "do thi"})
    assert disabled.headers["Location"] == "/users?q=do+thi"
    page = text(browser.get(disabled.headers["Location"]))
    assert "Đã khoá tài khoản canbo_moi." in page
    assert "Đã khoá" in row(page, "canbo_moi")
    assert not logs_in(new_browser, "canbo_moi", FIRST)
    sent_to_login(working)
    assert "canbo_moi" in text(browser.get("/users", query_string={"status": "disabled"}))
    assert "canbo_moi" not in text(browser.get("/users", query_string={"status": "active"}))

    enabled = browser.post(f"/users/{officer}/enable", {"q": "do thi"})
    page = text(browser.get(enabled.headers["Location"]))
    assert "Đã mở khoá tài khoản canbo_moi." in page
    assert "Đang hoạt động" in row(page, "canbo_moi")
    assert logs_in(new_browser, "canbo_moi", FIRST)


def test_disabling_without_the_csrf_token_is_refused(browser, new_browser, officer):
    browser.login("admin", "admin")
    browser.get("/users")

    refused = browser.client.post(f"/users/{officer}/disable")

    assert refused.status_code == 400
    assert logs_in(new_browser, "canbo_moi", FIRST)


def test_the_administrators_own_row_has_no_disable_button(browser, client, login):
    me = client.get("/api/v1/auth/me", headers=login("admin", "admin")).json["user_id"]
    browser.login("admin", "admin")
    own = row(text(browser.get("/users", query_string={"q": "admin"})), "admin")
    assert "/disable" not in own
    assert "Tài khoản của bạn" in own

    refused = browser.post(f"/users/{me}/disable")
    assert refused.status_code == 302
    assert "Bạn không thể khoá tài khoản của chính mình." in text(browser.get("/users"))
    assert browser.get("/").status_code == 200


def test_an_administrator_sets_a_new_password_and_the_user_logs_in_with_it(
    browser, new_browser, officer
):
    working = new_browser().login("canbo_moi", FIRST)
    browser.login("admin", "admin")
    form = text(browser.get(f"/users/{officer}/password"))
    assert "Đặt mật khẩu mới cho Đỗ Thị Hằng" in form
    assert 'autocomplete="new-password"' in form

    short = browser.post(f"/users/{officer}/password", {"new_password": "ngan"})
    assert short.status_code == 422
    assert "8–200 ký tự" in text(short) and "không khớp" in text(short)

    reset = browser.post(
        f"/users/{officer}/password", {"new_password": SECOND, "repeat_password": SECOND}
    )

    assert reset.headers["Location"] == "/users"
    assert "Đã đặt mật khẩu mới cho canbo_moi." in text(browser.get("/users"))
    assert logs_in(new_browser, "canbo_moi", SECOND)
    assert not logs_in(new_browser, "canbo_moi", FIRST)
    assert EXPIRED in sent_to_login(working)


def test_an_administrator_creates_an_account_gives_it_roles_and_unlocks_it(
    app, browser, new_browser
):
    browser.login("admin", "admin")
    form_page = browser.get("/users/new")
    form = {
        "username": "canbo_tiepnhan",
        "full_name": "Lý Thị Thu",
        "password": "mat-khau-ban-dau",
        "role.00": "reception",
        "unit.00": "C01",
    }
    created = browser.post("/users/new", form)
    again = browser.post("/users/new", form)
    listing = text(browser.get("/users", query_string={"q": "canbo_tiepnhan"}))
    user_id = int(re.search(r"/users/(\d+)/roles", listing).group(1))

    browser.get(f"/users/{user_id}/roles")
    changed = browser.post(
        f"/users/{user_id}/roles",
        {"role.00": "reception", "unit.00": "C01", "role.01": "civil_status", "unit.01": "C01"},
    )
    app.config.update(LOGIN_MAX_FAILURES=1)
    assert not logs_in(new_browser, "canbo_tiepnhan", "sai-mat-khau")
    assert not logs_in(new_browser, "canbo_tiepnhan", "mat-khau-ban-dau")  # locked out
    unlocked = browser.post(f"/users/{user_id}/unlock", follow_redirects=True)

    assert form_page.status_code == 200 and 'data-testid="grant-rows"' in text(form_page)
    assert created.status_code == 302
    assert again.status_code == 409 and "Tên đăng nhập đã có người dùng." in text(again)
    assert changed.status_code == 302
    roles_now = row(
        text(browser.get("/users", query_string={"q": "canbo_tiepnhan"})), "canbo_tiepnhan"
    )
    assert ROLE_LABELS["civil_status"][0] in roles_now and ROLE_LABELS["reception"][0] in roles_now
    assert "Đã mở khoá đăng nhập cho canbo_tiepnhan" in text(unlocked)
    assert logs_in(new_browser, "canbo_tiepnhan", "mat-khau-ban-dau")


def test_removing_a_role_asks_first_naming_the_tasks_that_go_back_to_the_queue(
    browser, officer, desk, login
):
    """canbo_moi holds the birth registration step as civil_status at C01; taking that role away
    (keeping a new reception role) shows what goes and which task returns, changing nothing until
    the administrator confirms."""
    dossier = desk.receive()
    desk.work_newborn(dossier["id"], "check_dossier")
    task_id = desk.task_id(dossier["id"], "register_birth")
    claimed = desk.client.post(f"/api/v1/tasks/{task_id}/claim", headers=login("canbo_moi", FIRST))
    assert claimed.status_code == 200, claimed.json
    browser.login("admin", "admin")
    browser.get(f"/users/{officer}/roles")
    adding = {"role.00": "civil_status", "unit.00": "C01", "role.01": "reception", "unit.01": "C01"}
    only_reception = {"role.00": "reception", "unit.00": "C01"}

    added = browser.post(f"/users/{officer}/roles", adding)
    asked = browser.post(f"/users/{officer}/roles", only_reception)
    held = desk.dossier(dossier["id"], by="admin")["tasks"]

    assert added.status_code == 302, "adding a role takes nothing away: no question"
    assert asked.status_code == 200
    page = text(asked)
    assert "Bỏ vai trò của Đỗ Thị Hằng?" in page
    removed = re.search(r'data-testid="removed-roles">(.*?)</ul>', page, re.S).group(1)
    assert ROLE_LABELS["civil_status"][0] in removed and "(C01)" in removed
    assert ROLE_LABELS["reception"][0] not in removed
    given_back = re.search(r'data-testid="given-back">(.*?)</ul>', page, re.S).group(1)
    assert dossier["code"] in given_back and "Đăng ký khai sinh" in given_back
    assert f'href="/users/{officer}/roles"' in page, "a way back without removing"
    assert [t["assignee"] for t in held if t["id"] == task_id] != [None], "nothing changed yet"

    confirmed = browser.post(f"/users/{officer}/roles", {**only_reception, "confirmed": "1"})

    assert confirmed.status_code == 302
    roles_now = row(text(browser.get("/users", query_string={"q": "canbo_moi"})), "canbo_moi")
    assert ROLE_LABELS["civil_status"][0] not in roles_now
    [task] = [t for t in desk.dossier(dossier["id"], by="admin")["tasks"] if t["id"] == task_id]
    assert task["assignee"] is None
