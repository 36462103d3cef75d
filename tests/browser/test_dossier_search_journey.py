"""A clerk finds a dossier that left the inbox long ago: by the citizen's ID number (CCCD), by
the name typed without accents, then narrows the list with the filter bar and sorts a column."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from engine.rules.calendar import to_local
from engine.store.db import utcnow
from tests.api.journeys import Desk
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

FINISHED = {"full_name": "Đặng Thị Ngọc Ánh", "id_number": "001299999991", "phone": "0987000111"}


@pytest.fixture
def finished_and_open(client, login):
    desk = Desk(client, login, {})
    finished = desk.receive(applicant=FINISHED)
    desk.work_newborn(
        finished["id"],
        "check_dossier",
        "register_birth",
        "register_residence",
        "issue_health_insurance_card",
        "return_results",
    )
    return finished, desk.receive()  # the other: Nguyễn Văn An, still open


def search(page, text: str) -> None:
    page.get_by_label("Tìm kiếm").fill(text)
    page.get_by_role("button", name="Tìm").click()
    page.wait_for_load_state()


def test_a_clerk_finds_a_finished_dossier_by_id_number_and_by_name_without_accents(
    as_user, finished_and_open
):
    finished, other = finished_and_open
    page = as_user("tiepnhan1")
    page.goto("/dossiers")
    rows = page.locator('[data-testid="dossier-list"] tbody tr')
    expect(rows).to_have_count(2)

    search(page, "001299999991")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(finished["code"])
    expect(rows.first).to_contain_text("Đã trả kết quả")
    expect(page.get_by_role("link", name=other["code"])).to_have_count(0)
    screenshot(page, "dossier-search-by-cccd")

    search(page, "dang thi ngoc anh")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Đặng Thị Ngọc Ánh")

    today = to_local(utcnow()).date().strftime("%d/%m/%Y")
    page.get_by_label("Tìm kiếm").fill("")
    page.get_by_label("Trạng thái").select_option(label="Đã trả kết quả")
    page.get_by_label("Tiếp nhận từ ngày").click()
    calendar = page.locator(".flatpickr-calendar.open")
    expect(calendar.locator(".flatpickr-weekday").first).to_have_text(re.compile(r"\s*T2\s*"))
    screenshot(page, "dossier-search-calendar")  # Vietnamese, weeks from Monday
    calendar.locator(".flatpickr-day.today").click()
    expect(page.get_by_label("Tiếp nhận từ ngày")).to_have_value(today)
    page.get_by_label("Đến ngày").fill(today)
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Tìm").click()
    expect(page).to_have_url(re.compile(r"status=result_returned"))
    expect(rows).to_have_count(1)
    expect(page.get_by_label("Tiếp nhận từ ngày")).to_have_value(today)
    screenshot(page, "dossier-search-filters")

    page.get_by_label("Trạng thái").select_option(value="")
    page.get_by_role("button", name="Tìm").click()
    page.locator('th[data-sort-key="code"] a').click()
    expect(page).to_have_url(re.compile(r"sort=code"))
    expect(page).to_have_url(re.compile(r"from=" + re.escape(today.replace("/", "%2F"))))
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(finished["code"])  # received first, so its code is lower
    expect(page.locator('th[data-sort-key="code"]')).to_have_attribute("aria-sort", "ascending")

    search(page, "khong co ai ten nay")
    expect(page.get_by_test_id("no-dossiers")).to_contain_text("Không có hồ sơ nào khớp")
    expect(page.get_by_test_id("active-filters")).to_contain_text("khong co ai ten nay")
    screenshot(page, "dossier-search-empty")
