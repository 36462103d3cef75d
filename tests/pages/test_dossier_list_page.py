"""The dossier list page: a filter bar a clerk can use (dates as dd/mm/yyyy), sortable columns,
links that keep the filters and the sort, readable messages for bad dates, an empty state that
says what was filtered."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from engine.rules.calendar import to_local
from engine.store.db import utcnow
from tests.pages.conftest import Browser

ROWS = re.compile(r'<tr data-dossier="(\d+)">')


def listed(page: str) -> list[int]:
    return [int(found) for found in ROWS.findall(page)]


def links(page: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(r'href="([^"]+)"', page)]


def today_text(days: int = 0) -> str:
    return (to_local(utcnow()).date() + timedelta(days=days)).strftime("%d/%m/%Y")


def test_the_filter_bar_offers_every_filter_and_a_clerk_of_one_unit_no_unit_choice(
    app, browser, desk
):
    desk.receive()
    browser.login("tiepnhan1")
    clerk = browser.get("/dossiers").get_data(as_text=True)
    administrator = Browser(app.test_client()).login("admin", "admin")
    admin = administrator.get("/dossiers").get_data(as_text=True)

    for name in ("q", "status", "procedure", "from", "to", "channel", "point"):
        assert f'name="{name}"' in clerk, name
    assert 'placeholder="dd/mm/yyyy"' in clerk
    assert "Trợ cấp xã hội hằng tháng" in clerk or "social_allowance" in clerk
    assert "Cơ sở y tế" in clerk and "Bưu chính" in clerk
    assert 'name="unit"' not in clerk
    assert 'name="unit"' in admin and "C02" in admin


def test_a_period_typed_as_day_month_year_filters_by_reception_day(browser, desk):
    dossier = desk.receive()
    browser.login("tiepnhan1")

    today = browser.get("/dossiers", query_string={"from": today_text(), "to": today_text()})
    tomorrow = browser.get("/dossiers", query_string={"from": today_text(1)})

    assert listed(today.get_data(as_text=True)) == [dossier["id"]]
    empty = tomorrow.get_data(as_text=True)
    assert listed(empty) == []
    assert 'data-testid="active-filters"' in empty and today_text(1) in empty
    assert f'value="{today_text(1)}"' in empty  # the date stays in its box


def test_a_bad_date_is_explained_in_vietnamese_and_the_rest_of_the_search_still_runs(browser, desk):
    dossier = desk.receive()
    browser.login("tiepnhan1")

    bad = browser.get("/dossiers", query_string={"from": "31/02/2026", "q": "nguyen"})
    reversed_period = browser.get(
        "/dossiers", query_string={"from": today_text(), "to": today_text(-3)}
    )

    page = bad.get_data(as_text=True)
    assert bad.status_code == 200
    assert "Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy, ví dụ 08/12/2026." in page
    assert 'value="31/02/2026"' in page and 'aria-invalid="true"' in page
    assert listed(page) == [dossier["id"]]  # found by name, the bad date left out
    reversed_page = reversed_period.get_data(as_text=True)
    assert "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu" in reversed_page
    assert listed(reversed_page) == [dossier["id"]]


def test_column_headers_sort_and_every_link_keeps_the_filters_and_the_sort(browser, desk):
    received = [desk.receive()["id"] for _ in range(22)]
    browser.login("tiepnhan1")

    first = browser.get("/dossiers", query_string={"status": "received", "sort": "code"})
    page = first.get_data(as_text=True)
    following = [href for href in links(page) if "page=2" in href]
    header = [href for href in links(page) if "sort=-code" in href]
    second = browser.get(following[0]).get_data(as_text=True)

    assert listed(page) == received[:20]  # codes of one day and unit sort like their ids
    assert 'aria-sort="ascending" data-sort-key="code"' in page
    assert following and "status=received" in following[0] and "sort=code" in following[0]
    assert header and "status=received" in header[0] and "page=" not in header[0]
    assert listed(second) == received[20:]
    assert listed(browser.get(header[0]).get_data(as_text=True)) == received[::-1][:20]
    assert 'name="sort" value="code"' in page  # a new search keeps the chosen order


def test_an_unknown_sort_or_filter_value_falls_back_without_an_error_page(browser, desk):
    older, newer = desk.receive(), desk.receive()
    browser.login("tiepnhan1")

    odd_sort = browser.get("/dossiers", query_string={"sort": "applicant"})
    odd_status = browser.get("/dossiers", query_string={"status": "lost"})
    other_unit = browser.get("/dossiers", query_string={"unit": "C02"})

    assert odd_sort.status_code == 200
    assert listed(odd_sort.get_data(as_text=True)) == [newer["id"], older["id"]]
    assert "Giá trị lọc không hợp lệ nên đã bỏ qua." in odd_status.get_data(as_text=True)
    other = other_unit.get_data(as_text=True)
    assert "Bạn không xem được hồ sơ của đơn vị này." in other
    assert listed(other) == [newer["id"], older["id"]]


def test_a_name_without_accents_finds_the_dossier_on_the_page(browser, desk):
    an = desk.receive()  # Nguyễn Văn An
    browser.login("tiepnhan1")

    found = browser.get("/dossiers", query_string={"q": "NGUYEN van an"}).get_data(as_text=True)
    english = browser.get("/dossiers", query_string={"q": "zzz", "lang": "en"})

    assert listed(found) == [an["id"]] and "Nguyễn Văn An" in found
    assert "No dossier matches the search." in english.get_data(as_text=True)
