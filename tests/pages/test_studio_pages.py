"""The studio's procedures page and the modeler's JSON endpoints: designers list, search and
create procedures (a draft, from the starter template or a blank diagram) and save, discard and
publish drafts with the page's CSRF token; leaders read; the others are refused."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.api.test_studio_drafts import newborn  # noqa: F401 - the fixture the tests ask for
from tests.api.test_studio_drafts import renamed

NEW = {
    "code": "cap_ban_sao",
    "name_vi": "Cấp bản sao trích lục hộ tịch",
    "name_en": "Copy of a civil status extract",
    "field": "civil_status",
    "time_limit": "5",
    "time_limit_unit": "days",
    "start": "starter",
}


def rows(page: str, code: str) -> list[str]:
    """The version lines of one procedure's card, as `version:status` pairs."""
    card = page.split(f'data-procedure="{code}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'data-version="([^"]+)"', card)


def json_post(browser, url: str, body: Any, *, token: bool = True):
    headers = {"X-CSRFToken": browser.token} if token else {}
    return browser.client.post(url, json=body, headers=headers)


def test_a_designer_sees_every_procedure_with_its_versions_and_searches(browser, desk):
    desk.receive()
    browser.login("thietke")

    page = browser.get("/studio").get_data(as_text=True)
    assert rows(page, "newborn_bundle") == ["1"] and rows(page, "social_allowance") == ["1"]
    assert "Đang áp dụng" in page and "Thư mục processes/" in page
    assert 'href="/studio/newborn_bundle/edit"' in page
    card = page.split('data-procedure="newborn_bundle"', 1)[1].split("</section>", 1)[0]
    assert re.search(r"<td>1</td>", card), "one open dossier on v1"
    zip_link = '/api/v1/procedures/newborn_bundle/archive?version=1" download'
    assert zip_link in card and "Tải thư mục (.zip)" in card
    archive = browser.client.get("/api/v1/procedures/newborn_bundle/archive?version=1")
    assert archive.status_code == 200 and archive.mimetype == "application/zip"

    found = browser.get("/studio?q=tro cap").get_data(as_text=True)
    assert 'data-procedure="social_allowance"' in found
    assert 'data-procedure="newborn_bundle"' not in found
    nothing = browser.get("/studio?q=khong co").get_data(as_text=True)
    assert 'data-testid="studio-empty"' in nothing
    assert "Không có thủ tục nào khớp với tìm kiếm." in nothing

    english = browser.get("/studio?lang=en").get_data(as_text=True)
    assert "Procedures and versions" in english and "In force" in english
    assert "Download folder (.zip)" in english


def test_a_new_procedure_from_the_template_is_a_draft_that_opens_the_modeler_and_runs(
    browser, desk
):
    browser.login("thietke")
    browser.get("/studio")

    response = browser.post("/studio/new", NEW)

    assert response.status_code == 302
    assert response.headers["Location"] == "/studio/cap_ban_sao/edit"
    draft = desk.get("/api/v1/procedures/cap_ban_sao/draft", by="thietke").json
    assert sorted(draft["files"]) == [
        "appraise.form.json",
        "cap_ban_sao.bpmn",
        "check_dossier.form.json",
        "leader_approval.form.json",
        "receive_supplement.form.json",
        "return_refusal.form.json",
        "return_result.form.json",
    ]
    assert desk.get("/api/v1/procedures/cap_ban_sao", by="thietke").status_code == 404
    page = browser.get("/studio?q=cap_ban_sao").get_data(as_text=True)
    assert rows(page, "cap_ban_sao") == ["draft"]

    checked = desk.post("/api/v1/procedures/cap_ban_sao/draft/validate", by="thietke")
    assert checked.json == {"problems": [], "warnings": []}
    published = json_post(browser, "/studio/cap_ban_sao/draft/publish", {"note": "Thủ tục mới"})
    assert published.status_code == 201, published.json
    dossier = desk.receive("cap_ban_sao")
    assert [(t["element_id"], t["role"]) for t in dossier["tasks"]] == [
        ("check_dossier", "reception")
    ]


def test_a_blank_procedure_starts_with_one_lane_and_a_start_event(browser, desk):
    browser.login("thietke")
    browser.get("/studio")
    response = browser.post("/studio/new", {**NEW, "code": "thu_tuc_trong", "start": "blank"})
    assert response.status_code == 302
    files = desk.get("/api/v1/procedures/thu_tuc_trong/draft", by="thietke").json["files"]
    assert list(files) == ["thu_tuc_trong.bpmn"]
    assert 'name="reception"' in files["thu_tuc_trong.bpmn"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "newborn_bundle"}, "code"),
        ({"code": "Mã Sai"}, "code"),
        ({"name_en": ""}, "name_en"),
    ],
    ids=["taken", "bad_code", "no_english_name"],
)
def test_a_refused_new_procedure_keeps_the_form_and_names_the_field(browser, desk, change, field):
    browser.login("thietke")
    browser.get("/studio")
    response = browser.post("/studio/new", {**NEW, **change})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="err-{field}"' in page
    assert '<details class="card new-procedure" id="new-procedure" open>' in page
    assert 'value="Cấp bản sao trích lục hộ tịch"' in page
    assert desk.get("/api/v1/procedures/newborn_bundle/draft", by="thietke").status_code == 404


def test_the_modeler_endpoints_save_refuse_a_stale_save_publish_and_discard(
    browser,
    desk,
    newborn,  # noqa: F811
):
    browser.login("thietke")
    browser.get("/studio")
    url = "/studio/newborn_bundle/draft"

    first = json_post(browser, url, {**newborn, "base_hash": None})
    assert first.status_code == 200, first.json
    assert set(first.json) == {"code", "hash", "saved_at", "saved_by"}
    second = renamed(newborn, 'name="Trả kết quả"', 'name="Trả kết quả (2)"')
    assert json_post(browser, url, {**second, "base_hash": first.json["hash"]}).status_code == 200
    stale = json_post(browser, url, {**newborn, "base_hash": first.json["hash"]})
    assert stale.status_code == 409
    assert stale.content_type == "application/problem+json"
    assert "someone saved this draft after you opened it" in stale.json["detail"]

    published = json_post(browser, f"{url}/publish", {"note": "Đổi tên bước trả kết quả"})
    assert published.status_code == 201
    assert published.json["procedure"]["version"] == 2
    page = browser.get("/studio").get_data(as_text=True)
    assert rows(page, "newborn_bundle") == ["2", "1"]
    assert 'href="/studio/newborn_bundle/edit?version=1"' in page
    assert "Đổi tên bước trả kết quả" in page

    json_post(browser, url, {**newborn, "base_hash": None})
    assert 'data-testid="discard-newborn_bundle"' in browser.get("/studio").get_data(as_text=True)
    discarded = json_post(browser, f"{url}/discard", {})
    assert discarded.status_code == 200
    assert desk.get("/api/v1/procedures/newborn_bundle/draft", by="thietke").status_code == 404


def test_a_draft_with_problems_is_not_published_from_the_page(browser, desk, newborn):  # noqa: F811
    browser.login("thietke")
    browser.get("/studio")
    broken = renamed(newborn, 'name="commune_police"', 'name="fortune_teller"')
    saved = json_post(browser, "/studio/newborn_bundle/draft", {**broken, "base_hash": None})

    refused = json_post(browser, "/studio/newborn_bundle/draft/publish", {"note": "x"})

    assert refused.status_code == 422
    assert [p["element_id"] for p in refused.json["problems"]] == ["register_residence"]
    draft = desk.get("/api/v1/procedures/newborn_bundle/draft", by="thietke").json
    assert draft["hash"] == saved.json["hash"]
    assert desk.get("/api/v1/procedures/newborn_bundle", by="thietke").json["version"] == 1


def test_a_post_without_the_csrf_token_is_refused_and_saves_nothing(browser, desk, newborn):  # noqa: F811
    browser.login("thietke")
    browser.get("/studio")
    response = json_post(
        browser, "/studio/newborn_bundle/draft", {**newborn, "base_hash": None}, token=False
    )
    assert response.status_code == 400
    assert response.json["code"] == "csrf_failed"
    assert desk.get("/api/v1/procedures/newborn_bundle/draft", by="thietke").status_code == 404


def test_leaders_read_the_page_without_changing_anything_and_others_are_refused(browser):
    browser.login("lanhdao1")
    page = browser.get("/studio").get_data(as_text=True)
    assert 'data-procedure="newborn_bundle"' in page
    assert 'id="new-procedure"' not in page and "Xem sơ đồ" in page
    assert 'data-testid="nav-studio"' in page
    assert browser.post("/studio/new", NEW).status_code == 403
    assert json_post(browser, "/studio/newborn_bundle/draft/discard", {}).status_code == 403

    browser.client.post("/logout", data={"csrf_token": browser.token})
    browser.login("tiepnhan1")
    assert browser.get("/studio").status_code == 403
    assert 'data-testid="nav-studio"' not in browser.get("/").get_data(as_text=True)


def test_a_long_catalogue_comes_in_pages_of_twenty(browser, desk, newborn):  # noqa: F811
    for number in range(21):
        code = f"thu_tuc_{number:02d}"
        body = {**newborn, "metadata": {**newborn["metadata"], "code": code}}
        assert (
            desk.client.put(
                f"/api/v1/procedures/{code}/draft", json=body, headers=desk.headers("thietke")
            ).status_code
            == 200
        )
    browser.login("lanhdao1")

    first = browser.get("/studio").get_data(as_text=True)
    second = browser.get("/studio?page=2").get_data(as_text=True)

    assert "33 thủ tục" in first  # the twelve shipped ones and the 21 drafts
    assert first.count('<section class="card procedure"') == 20
    assert second.count('<section class="card procedure"') == 13
    assert "Trang 2 / 2" in second and 'data-procedure="thu_tuc_20"' in second
