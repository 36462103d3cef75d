"""The leaders' dashboard page shows the API's numbers, each a link to its dossiers."""

from __future__ import annotations

import re

import pytest

from tests.api.analytics_data import AUGUST
from tests.api.analytics_data import Month
from tests.api.analytics_data import build_august

QUERY = "unit=C01&from=2026-08-01&to=2026-09-01"


@pytest.fixture
def august(new_uow, actor, monkeypatch):
    return build_august(Month(new_uow, actor, monkeypatch))


def figure_value(html, figure):
    match = re.search(rf'data-figure="{figure}">([^<]*)<', html)
    assert match, figure
    return match.group(1)


def test_the_dashboard_shows_the_same_numbers_as_the_api(browser, desk, august):
    api = desk.client.get(
        "/api/v1/stats", query_string={"unit": "C01", **AUGUST}, headers=desk.headers("lanhdao1")
    ).json
    html = browser.login("lanhdao1").get(f"/analytics?{QUERY}").get_data(as_text=True)

    for figure in ("received", "online", "settled", "late", "overdue", "refused", "paused"):
        assert figure_value(html, figure) == str(api[figure]), figure
    assert "66.67%" in html
    assert "(trước hạn + đúng hạn) × 100 / đã giải quyết" in html
    assert html.count("Chưa đo tại đây") == 12  # 10 indicators and 2 whole groups
    assert 'data-testid="nav-analytics"' in html


def test_a_number_opens_the_list_of_its_dossiers(browser, august):
    browser.login("lanhdao1")
    html = browser.get(f"/analytics/dossiers?{QUERY}&figure=late").get_data(as_text=True)

    assert 'data-testid="figure-total">(1)' in html
    assert f'href="/dossiers/{august["D"]}"' in html


def test_this_month_is_the_default_and_bad_filters_say_so(browser):
    browser.login("lanhdao1")
    page = browser.get("/analytics")
    assert page.status_code == 200
    html = browser.get("/analytics?unit=X99&from=2026-08-01").get_data(as_text=True)
    assert "Đơn vị không tồn tại: X99" in html
    missing = browser.get("/analytics/dossiers?figure=nothing")
    assert missing.status_code == 400


def test_the_english_page_names_its_figures_in_english(browser, august):
    browser.login("lanhdao1")
    html = browser.get(f"/analytics?{QUERY}&lang=en").get_data(as_text=True)
    assert "Not measured here" in html
    assert "Received" in html


@pytest.mark.parametrize("user", ["tiepnhan1", "hotich1", "thietke"])
def test_staff_without_a_leader_role_get_no_dashboard_nor_its_link(browser, user):
    browser.login(user)
    assert browser.get("/analytics").status_code == 403
    assert 'data-testid="nav-analytics"' not in browser.get("/").get_data(as_text=True)
