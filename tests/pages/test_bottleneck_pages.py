"""The bottlenecks page and the what-if form, rendered for a leader (the browser test drives the
diagram's overlays; here the server's side: tables, empty states, errors and the form)."""

from __future__ import annotations

import json
from pathlib import Path

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
ELIGIBLE = {"beneficiary_group": "elderly_80", "verified_in_population_db": True, "eligible": "yes"}


def test_the_bottlenecks_page_shows_the_figures_the_api_gives(browser, desk):
    dossier_id = desk.receive("social_allowance")["id"]
    desk.work(dossier_id, "verify_beneficiary", ELIGIBLE, by="ldxh1")
    browser.login("lanhdao1")
    response = browser.get("/analytics/procedures/social_allowance")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Bản đồ nhiệt trên sơ đồ" in page
    assert 'data-testid="slowest"' in page and "Xác minh đối tượng hưởng trợ cấp" in page
    assert 'data-testid="queues-unit"' in page
    assert "Chưa có gợi ý" in page  # one dossier is not enough
    assert "Thủ tục mới có một phiên bản" in page
    heat = json.loads(page.split('id="heat-data">', 1)[1].split("</script>", 1)[0])
    api = desk.get("/api/v1/procedures/social_allowance/heatmap", by="lanhdao1").json
    assert heat["steps"] == api["steps"]
    assert "<bpmn:definitions" in heat["bpmn_xml"]


def test_a_period_ending_before_it_starts_says_so(browser):
    browser.login("lanhdao1")
    response = browser.get("/analytics/procedures/social_allowance?from=2026-05-01&to=2026-04-01")
    assert response.status_code == 422
    assert "Đang hiển thị toàn bộ thời gian" in response.get_data(as_text=True)


def test_specialists_get_the_refusal_page(browser):
    browser.login("ldxh1")
    assert browser.get("/analytics/procedures/social_allowance").status_code == 403
    assert browser.get("/analytics/procedures/social_allowance/what-if").status_code == 403


def test_what_if_without_a_draft_says_how_to_get_one(browser):
    browser.login("lanhdao1")
    response = browser.get("/analytics/procedures/social_allowance/what-if")
    assert response.status_code == 404
    assert "chưa có bản nháp" in response.get_data(as_text=True)
    assert browser.get("/analytics/procedures/khong_co/what-if").status_code == 404


def test_what_if_runs_and_refuses_bad_input(browser, desk):
    folder = PROCESSES / "social_allowance"
    files = {p.name: p.read_text() for p in folder.iterdir() if p.name != "metadata.json"}
    metadata = json.loads((folder / "metadata.json").read_text())
    saved = desk.client.put(
        "/api/v1/procedures/social_allowance/draft",
        json={"files": files, "metadata": metadata, "base_hash": None},
        headers=desk.headers("thietke"),
    )
    assert saved.status_code == 200, saved.json
    browser.login("lanhdao1")
    form = browser.get("/analytics/procedures/social_allowance/what-if")
    assert form.status_code == 200
    assert "bước mới" not in form.get_data(as_text=True)  # the draft keeps every step
    ran = browser.post("/analytics/procedures/social_allowance/what-if", {"runs": "3"})
    assert ran.status_code == 200
    page = ran.get_data(as_text=True)
    assert 'data-testid="what-if-result"' in page and 'data-testid="calibration"' in page
    refused = browser.post("/analytics/procedures/social_allowance/what-if", {"runs": "500"})
    assert refused.status_code == 422
    assert 'value="500"' in refused.get_data(as_text=True)
