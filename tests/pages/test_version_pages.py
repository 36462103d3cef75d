"""The studio's pages for comparing versions, migrating running dossiers and retiring a version:
what a designer and a leader see and do, with the same engine as the API."""

from __future__ import annotations

import re

from tests.api.test_version_moves import CODE
from tests.api.test_version_moves import publish
from tests.support.move_diagrams import Step


def test_compare_shows_the_table_and_the_named_changes(browser, desk):
    publish(desk, [Step("check", "Kiểm tra", limit="2d"), Step("verify", role="civil_status")])
    publish(desk, [Step("check", "Kiểm tra", role="civil_status", limit="1d"), Step("sign")])
    browser.login("lanhdao1")

    page = browser.get(f"/studio/{CODE}/compare").get_data(as_text=True)

    table = page.split('data-testid="before-after"', 1)[1].split("</section>", 1)[0]
    assert "Số lần chuyển giữa các bộ phận" in table
    assert re.search(r"<td>2</td><td>2</td><td>—</td>", table)  # steps: 2 and 2
    changes = page.split('data-testid="change-list"', 1)[1].split("</section>", 1)[0]
    assert "verify" in changes and "sign" in changes
    assert "Thời hạn bước" in changes and "2d" in changes and "1d" in changes


def test_a_designer_previews_maps_and_migrates_then_the_dossier_shows_the_event(browser, desk):
    publish(desk, [Step("verify"), Step("sign")])
    dossier = desk.receive(CODE)
    publish(desk, [Step("check"), Step("sign")])
    browser.login("thietke")

    blocked = browser.get(f"/studio/{CODE}/migrate").get_data(as_text=True)
    mapped = browser.get(f"/studio/{CODE}/migrate?to=2&map.verify=check").get_data(as_text=True)
    moved = browser.post(
        f"/studio/{CODE}/migrate",
        {"to": "2", "dossier_ids": str(dossier["id"]), "map.verify": "check"},
    )

    assert "Bước đang mở “verify” không có trong v2" in blocked
    assert f'value="{dossier["id"]}" checked' in mapped
    assert moved.status_code == 302, moved.get_data(as_text=True)
    job = browser.get(moved.headers["Location"]).get_data(as_text=True)
    assert 'data-state="done"' in job and "1/1" in job
    browser.client.post("/logout", data={"csrf_token": browser.token})
    browser.login("tiepnhan1")
    history = browser.get(f"/dossiers/{dossier['id']}").get_data(as_text=True)
    assert "Chuyển sang phiên bản khác của quy trình" in history
    assert "v1 → v2" in history and "verify → check" in history


def test_retiring_the_current_version_asks_for_its_successor(browser, desk):
    publish(desk, [Step("check")])
    publish(desk, [Step("check", "Kiểm tra lại")])
    browser.login("thietke")

    form = browser.get(f"/studio/{CODE}/versions/2/retire").get_data(as_text=True)
    done = browser.post(f"/studio/{CODE}/versions/2/retire", {"make_current": "1"})

    assert 'name="make_current"' in form
    assert done.status_code == 302
    listing = browser.get(done.headers["Location"]).get_data(as_text=True)
    assert "Ngừng dùng" in listing
    versions = desk.get(f"/api/v1/procedures/{CODE}/versions", by="thietke").json
    assert [(item["version"], item["status"]) for item in versions] == [
        (2, "retired"),
        (1, "published"),
    ]
