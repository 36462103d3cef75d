"""What a designer's script printed is on the dossier's page, under the step that printed it."""

from __future__ import annotations

from tests.api.test_constructs_sandbox import publish
from tests.api.test_constructs_sandbox import submit


def test_the_dossier_page_shows_what_a_script_printed(browser, desk):
    publish(desk, "sandbox_helpers")
    dossier_id = submit(desk, "sandbox_helpers").json["id"]
    browser.login("tiepnhan1")

    page = browser.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    english = browser.get(f"/dossiers/{dossier_id}?lang=en").get_data(as_text=True)

    assert "Mã lệnh in ra" in page and "Tính hạn và phí" in page
    assert "hạn: 2026-03-09, phí: 25001.00, trang: 4" in page
    assert "Script printed" in english
