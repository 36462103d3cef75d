"""A leader opens the figures of August, follows a number to its dossiers and on to one of them,
downloads the table, and reads the same page on a phone."""

from __future__ import annotations

import csv
import io

import pytest

from tests.api.analytics_data import Month
from tests.api.analytics_data import build_august
from tests.browser.conftest import SCREENSHOTS
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser
AUGUST = "/analytics?unit=C01&from=2026-08-01&to=2026-09-01"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def august(new_uow, actor, monkeypatch):
    return build_august(Month(new_uow, actor, monkeypatch))


def test_a_leader_clicks_a_number_through_to_its_dossiers_and_downloads_the_table(as_user, august):
    leader = as_user("lanhdao1")
    leader.get_by_test_id("nav-analytics").click()
    leader.wait_for_selector("[data-testid=figure-cards]")
    leader.goto(AUGUST)
    leader.wait_for_selector("#trend-chart svg")
    assert leader.get_by_test_id("on-time-rate").inner_text() == "66.67%"
    screenshot(leader, "analytics-desktop")
    leader.screenshot(path=str(SCREENSHOTS / "analytics-desktop-full.png"), full_page=True)

    with leader.expect_download() as download:
        leader.get_by_test_id("download-stats-csv").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    from_csv = {row[0]: row[2] for row in rows[1:]}
    for figure in ("received", "settled", "late", "overdue", "online", "refused"):
        shown = leader.locator(f"[data-figure={figure}]").first.inner_text()
        assert from_csv[figure] == shown, figure

    leader.locator("[data-figure=late]").first.click()
    leader.wait_for_selector("[data-testid=figure-dossiers]")
    assert leader.get_by_test_id("figure-total").inner_text() == "(1)"
    screenshot(leader, "analytics-late-dossiers")
    leader.locator("[data-testid=figure-dossiers] td.code a").first.click()
    leader.wait_for_url(f"**/dossiers/{august['D']}")


def test_the_dashboard_fits_a_phone_and_its_tables_sort(as_user, august):
    leader = as_user("lanhdao1")
    leader.set_viewport_size(PHONE)
    leader.goto(AUGUST)
    leader.wait_for_selector("#trend-chart svg")
    assert leader.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(leader, "analytics-phone")
    leader.screenshot(path=str(SCREENSHOTS / "analytics-phone-full.png"), full_page=True)
    leader.get_by_role("button", name="Theo tuần").click()
    assert leader.get_by_role("button", name="Theo tuần").get_attribute("aria-pressed") == "true"

    leader.goto(AUGUST.replace("/analytics?", "/analytics/dossiers?") + "&figure=received")
    header = leader.locator("[data-testid=figure-dossiers] th", has_text="Ngày tiếp nhận")
    header.get_by_role("button").click()
    header.get_by_role("button").click()  # descending: the make-up Saturday's dossier first
    first = leader.locator("[data-testid=figure-dossiers] tbody tr").first
    assert first.get_attribute("data-dossier") == str(august["C"])
    assert header.get_attribute("aria-sort") == "descending"
