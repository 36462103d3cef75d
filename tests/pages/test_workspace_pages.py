"""The workspace pages through the Flask test client: sessions, CSRF, rejected forms, 403 pages."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from datetime import timedelta

from engine.rules.calendar import LOCAL_TZ

PDF = b"%PDF-1.4\n%%EOF\n"


def payload(html):
    """The JSON the task page hands to its form script."""
    match = re.search(
        r'<script type="application/json" id="task-payload">(.*?)</script>', html, re.S
    )
    assert match
    return json.loads(match.group(1))


def test_pages_need_a_login_and_send_the_user_back_where_they_were_going(browser):
    response = browser.get("/tasks/1")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/tasks/1")
    assert browser.get("/").headers["Location"].startswith("/login")


def test_a_wrong_password_is_refused_with_a_message_and_the_username_kept(browser):
    page = browser.get("/login").get_data(as_text=True)
    assert "<title>Đăng nhập" in page
    response = browser.post("/login", {"username": "hotich1", "password": "sai"})
    assert response.status_code == 401
    text = response.get_data(as_text=True)
    assert "Sai tên đăng nhập hoặc mật khẩu." in text
    assert 'value="hotich1"' in text


def test_logging_in_sets_a_signed_http_only_lax_cookie_and_shows_who_i_am(browser):
    browser.get("/login")
    response = browser.post("/login", {"username": "hotich1", "password": "demo", "next": "/"})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    inbox = browser.get("/").get_data(as_text=True)
    assert "Trần Văn Minh" in inbox
    assert "Công chức Tư pháp – Hộ tịch" in inbox
    assert "Xã Tân Hòa" in inbox


def test_an_outside_next_address_is_ignored(browser):
    browser.get("/login")
    data = {"username": "hotich1", "password": "demo", "next": "//evil.example/x"}
    assert browser.post("/login", data).headers["Location"] == "/"


def test_a_form_without_its_csrf_token_is_refused(browser):
    browser.login("hotich1")
    response = browser.client.post("/logout")
    assert response.status_code == 400
    assert browser.get("/").status_code == 200
    assert browser.post("/logout").status_code == 302
    assert browser.get("/").status_code == 302


def test_the_inbox_shows_tabs_with_counts_and_finds_a_dossier(browser, desk):
    dossier = desk.receive()
    browser.login("tiepnhan1")
    page = browser.get("/?tab=queue").get_data(as_text=True)
    for label in ("Việc của tôi", "Hàng đợi của vai trò trong đơn vị", "Sắp đến hạn", "Quá hạn"):
        assert label in page
    assert re.search(r'data-count="queue">1<', page)
    assert dossier["code"] in page
    found = browser.get("/?tab=queue&q=Nguy%E1%BB%85n").get_data(as_text=True)
    assert dossier["code"] in found
    missing = browser.get("/?tab=queue&q=zzz").get_data(as_text=True)
    assert dossier["code"] not in missing


def test_a_user_of_another_unit_gets_a_readable_403_page(browser, desk):
    dossier = desk.receive()
    task_id = desk.task_id(dossier["id"], "check_dossier")
    browser.login("hotich2")
    for url in (f"/tasks/{task_id}", f"/dossiers/{dossier['id']}"):
        response = browser.get(url)
        assert response.status_code == 403
        page = response.get_data(as_text=True)
        assert "Không có quyền truy cập" in page
        assert "thuộc đơn vị khác" in page
        assert "<title>" in page


def test_an_invalid_form_comes_back_with_the_messages_and_what_was_typed(browser, desk):
    dossier = desk.receive()
    desk.work_newborn(dossier["id"], "check_dossier")
    task_id = desk.task_id(dossier["id"], "register_birth")
    browser.login("hotich1")
    browser.get(f"/tasks/{task_id}")

    typed = {"birth_registration_number": "15/2026", "child_personal_id": "00122600001"}
    response = browser.post(f"/tasks/{task_id}/complete", {"data": json.dumps(typed)})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert payload(page)["data"] == typed
    assert "child_personal_id" in payload(page)["errors"]
    assert "Không đúng định dạng" in page
    assert "(does not match the required format)" not in page  # one language per page
    assert desk.inbox("hotich1", dossier["id"]) == ["register_birth"]

    typed["child_personal_id"] = "001226000015"
    done = browser.post(f"/tasks/{task_id}/complete", {"data": json.dumps(typed)})
    assert done.status_code == 302
    assert "Đã hoàn thành bước xử lý." in browser.get("/").get_data(as_text=True)
    assert sorted(desk.inbox("congan1", dossier["id"]) + desk.inbox("bhxh1", dossier["id"])) == [
        "issue_health_insurance_card",
        "register_residence",
    ]


def test_claim_release_and_reassign_from_the_task_page(browser, desk):
    dossier = desk.receive()
    task_id = desk.task_id(dossier["id"], "check_dossier")
    browser.login("tiepnhan1")
    browser.get(f"/tasks/{task_id}")
    assert browser.post(f"/tasks/{task_id}/claim").status_code == 302
    assert "Đã nhận việc." in browser.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert browser.post(f"/tasks/{task_id}/release").status_code == 302

    leader = type(browser)(browser.client.application.test_client()).login("lanhdao1")
    leader.get(f"/tasks/{task_id}")
    refused = leader.post(f"/tasks/{task_id}/reassign", {"assignee": "hotich1", "note": "x"})
    assert refused.status_code == 422
    assert "Người này không giữ vai trò" in refused.get_data(as_text=True)
    moved = leader.post(f"/tasks/{task_id}/reassign", {"assignee": "admin", "note": "tạm thay"})
    assert moved.status_code == 302
    kinds = [e["kind"] for e in desk.dossier(dossier["id"])["history"]]
    assert kinds[-3:] == ["task_claimed", "task_released", "task_reassigned"]


def test_the_reception_desk_receives_a_dossier_with_its_documents(browser, desk, app, tmp_path):
    app.config["ATTACHMENTS_DIR"] = str(tmp_path)
    browser.login("tiepnhan1")
    assert "<title>Tiếp nhận hồ sơ trực tiếp" in browser.get("/reception").get_data(as_text=True)
    form = {
        "procedure_code": "newborn_bundle",
        "channel": "in_person",
        "unit": "C01",
        "applicant.full_name": "Lê Thị Hồng",
        "applicant.id_number": "0012345",
        "delivery_method": "in_person",
        "labels": "Giấy chứng sinh",
        "files": (io.BytesIO(PDF), "chung-sinh.pdf"),
    }
    refused = browser.post("/reception", form, content_type="multipart/form-data")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Số CCCD/CMND gồm 12" in page
    assert 'value="Lê Thị Hồng"' in page

    form["applicant.id_number"] = "001234567892"
    form["files"] = (io.BytesIO(PDF), "chung-sinh.pdf")
    received = browser.post("/reception", form, content_type="multipart/form-data")
    assert received.status_code == 302
    page = browser.get(received.headers["Location"]).get_data(as_text=True)
    assert "/slips/01" in page
    assert "Giấy chứng sinh" in page
    assert "Lê Thị Hồng" in page


def test_staff_without_the_reception_role_cannot_open_the_desk(browser):
    browser.login("hotich1")
    assert browser.get("/reception").status_code == 403


def test_english_is_one_click_away_and_remembered(browser):
    browser.login("hotich1")
    page = browser.get("/?lang=en").get_data(as_text=True)
    assert "My tasks" in page
    assert '<html lang="en">' in page
    assert "My tasks" in browser.get("/").get_data(as_text=True)
    assert "Việc của tôi" in browser.get("/?lang=vi").get_data(as_text=True)


def test_pages_carry_a_content_security_policy_without_inline_scripts(browser):
    browser.login("hotich1")
    policy = browser.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy


def test_a_leader_sees_the_units_tasks_to_reassign_them(browser, desk):
    dossier = desk.receive()
    browser.login("lanhdao1")
    page = browser.get("/?tab=unit").get_data(as_text=True)
    assert "Việc của đơn vị" in page
    assert re.search(r'data-count="unit">1<', page)
    assert dossier["code"] in page
    task_id = desk.task_id(dossier["id"], "check_dossier")
    task_page = browser.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "Phân công lại" in task_page
    assert 'value="tiepnhan1"' in task_page


def test_a_long_queue_is_split_into_pages_with_links_between_them(browser, desk):
    codes = [desk.receive()["code"] for _ in range(16)]  # one more than a page holds
    browser.login("tiepnhan1")

    first = browser.get("/?tab=queue").get_data(as_text=True)
    assert "Trang 1 / 2" in first and "page=2" in first and "Trang trước" not in first
    second = browser.get("/?tab=queue&page=2").get_data(as_text=True)
    assert "Trang 2 / 2" in second and "Trang trước" in second and "Trang sau" not in second
    shown = [code for code in codes if code in first or code in second]
    assert shown == codes


def test_a_done_step_shows_the_data_it_was_completed_with_read_only(browser, desk):
    dossier = desk.receive()
    desk.work_newborn(dossier["id"], "check_dossier")
    task_id = desk.task_id(dossier["id"], "register_birth")
    typed = {"birth_registration_number": "16/2026", "child_personal_id": "001226000016"}
    browser.login("hotich1")
    browser.get(f"/tasks/{task_id}")
    completed = browser.post(f"/tasks/{task_id}/complete", {"data": json.dumps(typed)})
    assert completed.status_code == 302

    page = browser.get(f"/tasks/{task_id}").get_data(as_text=True)

    assert payload(page)["data"] == typed
    assert payload(page)["readonly"] is True
    assert "biểu mẫu dưới đây là dữ liệu đã nộp (chỉ xem)" in page


def test_each_instance_of_a_multi_instance_step_shows_its_item_in_the_inbox_and_on_its_page(
    browser, desk
):
    assert desk.publish_construct("mi_parallel_user").status_code == 201
    agencies = ["Công an xã", "Bảo hiểm xã hội"]
    desk.receive("mi_parallel_user", data={"agencies": agencies})
    browser.login("hotich1")

    inbox = browser.get("/?tab=queue").get_data(as_text=True)
    task_ids = re.findall(r'data-task="(\d+)"', inbox)

    for agency in agencies:
        assert f"agency: {agency}" in inbox
    pages = [browser.get(f"/tasks/{task_id}").get_data(as_text=True) for task_id in task_ids]
    assert sorted(agency for agency in agencies for page in pages if agency in page) == sorted(
        agencies
    )
    assert all("Mục của bước này" in page for page in pages)


def test_an_unknown_address_and_a_page_of_another_role_are_readable_pages(browser):
    browser.login("tiepnhan1")

    unknown = browser.get("/khong-co-trang-nay")
    users = browser.get("/users")

    assert unknown.status_code == 404
    assert unknown.mimetype == "text/html"
    assert "Trang hoặc hồ sơ bạn tìm không tồn tại." in unknown.get_data(as_text=True)
    assert users.status_code == 403
    page = users.get_data(as_text=True)
    assert "Vai trò của bạn không được mở trang này" in page
    assert "thuộc đơn vị khác" not in page


def test_a_leader_lands_on_the_unit_s_tasks_without_a_claim_button_they_cannot_use(browser, desk):
    dossier = desk.receive()
    browser.login("lanhdao1")

    page = browser.get("/").get_data(as_text=True)

    assert 'aria-current="page" data-tab="unit"' in page
    assert dossier["code"] in page
    assert "Nhận việc" not in page


def test_the_history_says_a_step_s_answers_and_the_engine_s_details_in_words(browser, desk):
    dossier = desk.receive()
    desk.work_newborn(dossier["id"], "check_dossier")
    browser.login("tiepnhan1")

    page = browser.get(f"/dossiers/{dossier['id']}").get_data(as_text=True)

    assert "Kết quả kiểm tra hồ sơ: Đầy đủ, hợp lệ" in page
    assert "dossier_complete" not in page


def test_a_finished_dossier_says_when_it_ended_and_whether_on_time(browser, desk):
    dossier = desk.receive()
    done_id = desk.task_id(dossier["id"], "check_dossier")
    desk.work_newborn(
        dossier["id"],
        "check_dossier",
        "register_birth",
        "register_residence",
        "issue_health_insurance_card",
        "return_results",
    )
    browser.login("tiepnhan1")

    summary = browser.get(f"/dossiers/{dossier['id']}").get_data(as_text=True)
    done_task = browser.get(f"/tasks/{done_id}").get_data(as_text=True)

    assert re.search(r'data-testid="dossier-finished">\d\d/\d\d/\d{4} \d\d:\d\d<', summary)
    assert re.search(r'data-testid="dossier-timeliness">(Trước hạn|Đúng hạn)<', summary)
    assert 'data-testid="task-done-at"' in done_task
    assert "Hạn xử lý" not in done_task.split("<h1>", 1)[1].split("</div>", 2)[1]


def test_a_refused_reception_keeps_the_chosen_documents_for_the_next_try(
    browser, desk, app, tmp_path
):
    app.config["ATTACHMENTS_DIR"] = str(tmp_path)
    browser.login("tiepnhan1")
    browser.get("/reception")  # the desk's form, as the clerk opens it
    form = {
        "procedure_code": "newborn_bundle",
        "channel": "in_person",
        "unit": "C01",
        "applicant.full_name": "Lê Thị Hồng",
        "applicant.id_number": "0012345",  # too short: refused
        "delivery_method": "in_person",
        "labels": "Giấy chứng sinh",
        "files": (io.BytesIO(PDF), "chung-sinh.pdf"),
    }
    refused = browser.post("/reception", form, content_type="multipart/form-data")
    page = refused.get_data(as_text=True)
    [token] = re.findall(r'name="staged" value="([^"]+)" checked', page)

    corrected = {k: v for k, v in form.items() if k not in ("files", "labels")}
    corrected.update({"applicant.id_number": "001234567895", "staged": token})
    received = browser.post("/reception", corrected, content_type="multipart/form-data")

    assert refused.status_code == 422
    assert "chung-sinh.pdf" in page and 'value="Giấy chứng sinh"' in page
    assert received.status_code == 302, received.get_data(as_text=True)[:2000]
    dossier_page = browser.get(received.headers["Location"]).get_data(as_text=True)
    assert "Giấy chứng sinh" in dossier_page
    assert list((tmp_path / "staged").iterdir()) == []


def test_reception_asks_before_a_dossier_without_papers_or_a_second_one_the_same_day(browser):
    browser.login("tiepnhan1")
    browser.get("/reception")
    form = {
        "procedure_code": "newborn_bundle",
        "channel": "in_person",
        "unit": "C01",
        "applicant.full_name": "Lê Thị Hồng",
        "applicant.id_number": "001234567896",
        "delivery_method": "in_person",
    }

    bare = browser.post("/reception", form, content_type="multipart/form-data")
    first = browser.post(
        "/reception", {**form, "confirm_no_documents": "1"}, content_type="multipart/form-data"
    )
    again = browser.post(
        "/reception", {**form, "confirm_no_documents": "1"}, content_type="multipart/form-data"
    )
    anyway = browser.post(
        "/reception",
        {**form, "confirm_no_documents": "1", "confirm_duplicate": "1"},
        content_type="multipart/form-data",
    )

    assert bare.status_code == 422 and "Chưa có giấy tờ nào" in bare.get_data(as_text=True)
    assert first.status_code == 302
    assert again.status_code == 422
    warning = again.get_data(as_text=True)
    assert 'data-testid="duplicate-warning"' in warning and "Hôm nay người này đã nộp" in warning
    assert anyway.status_code == 302


def test_the_papers_ticked_on_the_checklist_are_listed_on_the_receipt(browser, desk):
    browser.login("tiepnhan1")
    desk_page = browser.get("/reception").get_data(as_text=True)
    form = {
        "procedure_code": "newborn_bundle",
        "channel": "in_person",
        "unit": "C01",
        "applicant.full_name": "Lê Thị Hồng",
        "applicant.id_number": "001234567897",
        "delivery_method": "in_person",
        "paper.newborn_bundle": ["0|1", "1|1"],
    }

    received = browser.post("/reception", form, content_type="multipart/form-data")

    assert 'data-procedure="newborn_bundle"' in desk_page and "Giấy chứng sinh" in desk_page
    assert received.status_code == 302, received.get_data(as_text=True)[:1500]
    dossier_id = int(re.search(r"/dossiers/(\d+)", received.headers["Location"]).group(1))
    slip = browser.get(f"/api/v1/dossiers/{dossier_id}/slips/01").get_data(as_text=True)
    assert "Tờ khai liên thông (Mẫu 01)" in slip and "Giấy chứng sinh" in slip
    assert "Bản chính" in slip
    assert "Theo thành phần hồ sơ của thủ tục" not in slip


def test_a_dossier_is_found_after_it_left_the_inbox_by_id_number_or_phone(browser, desk):
    finished = desk.receive(
        applicant={"full_name": "Đỗ Văn Bình", "id_number": "001234567898", "phone": "0987654321"}
    )
    desk.work_newborn(
        finished["id"],
        "check_dossier",
        "register_birth",
        "register_residence",
        "issue_health_insurance_card",
        "return_results",
    )
    other = desk.receive()
    browser.login("tiepnhan1")

    by_id = browser.get("/dossiers", query_string={"q": "001234567898"}).get_data(as_text=True)
    by_phone = browser.get("/dossiers", query_string={"q": "0987654321"}).get_data(as_text=True)
    returned = browser.get("/dossiers", query_string={"status": "result_returned"})
    nothing = browser.get("/dossiers", query_string={"q": "999999999999"}).get_data(as_text=True)

    for page in (by_id, by_phone):
        assert finished["code"] in page and other["code"] not in page
    assert finished["code"] in returned.get_data(as_text=True)
    assert 'data-testid="no-dossiers"' in nothing
    inbox = browser.get("/", query_string={"tab": "queue", "q": "001234567890"})
    assert other["code"] in inbox.get_data(as_text=True)  # the inbox searches the ID number too


def test_the_dossier_page_links_the_forms_its_history_calls_for(browser, desk):
    dossier = desk.receive()
    asked = desk.post(
        f"/api/v1/dossiers/{dossier['id']}/supplement-request",
        {"reason": "Thiếu giấy chứng sinh", "items": ["Giấy chứng sinh"]},
        by="tiepnhan1",
    )
    assert asked.status_code == 200, asked.json
    browser.login("tiepnhan1")

    page = browser.get(f"/dossiers/{dossier['id']}").get_data(as_text=True)
    links = re.findall(r'data-testid="(slip-0\d|letter)"', page)

    assert links == ["slip-01", "slip-02", "slip-06", "letter"]
    for form in ("02", "06"):
        slip = browser.get(f"/api/v1/dossiers/{dossier['id']}/slips/{form}")
        assert slip.status_code == 200, form
    assert browser.get(f"/api/v1/dossiers/{dossier['id']}/letter").status_code == 200


def test_reception_records_the_newborn_for_the_agencies_and_the_letter(browser, desk):
    browser.login("tiepnhan1")
    desk_page = browser.get("/reception").get_data(as_text=True)
    form = {
        "procedure_code": "newborn_bundle",
        "channel": "in_person",
        "unit": "C01",
        "applicant.full_name": "Lê Thị Hồng",
        "applicant.id_number": "001234567891",
        "delivery_method": "in_person",
        "confirm_no_documents": "1",
        "data.newborn_bundle.child_full_name": "Lê Minh An",
        "data.newborn_bundle.child_birth_date": "2026-12-01",
        "data.newborn_bundle.child_sex": "male",
        "data.newborn_bundle.mother_id_number": "0012",  # too short
    }

    refused = browser.post("/reception", form, content_type="multipart/form-data")
    form["data.newborn_bundle.mother_id_number"] = "001234567891"
    received = browser.post("/reception", form, content_type="multipart/form-data")

    assert 'data-testid="reception-form-newborn_bundle"' in desk_page
    assert refused.status_code == 422
    refused_page = refused.get_data(as_text=True)
    assert 'value="Lê Minh An"' in refused_page and "Không đúng định dạng" in refused_page
    assert received.status_code == 302, received.get_data(as_text=True)[:1500]
    dossier_id = int(re.search(r"/dossiers/(\d+)", received.headers["Location"]).group(1))
    page = browser.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    assert "Họ, chữ đệm, tên của trẻ" in page and "Lê Minh An" in page and ">Nam<" in page
    letter = browser.get(f"/api/v1/dossiers/{dossier_id}/letter").get_data(as_text=True)
    assert "Lê Minh An" in letter and "01/12/2026" in letter


def test_the_return_step_offers_the_postal_address_taken_at_reception(browser, desk):
    from tests.api.test_lifecycle_apology_return import APPROVE
    from tests.api.test_lifecycle_apology_return import ELIGIBLE

    dossier_id = desk.receive(
        "social_allowance", data={"delivery_method": "postal", "delivery_address": "Số 5, Thôn Bắc"}
    )["id"]
    desk.work(dossier_id, "verify_beneficiary", ELIGIBLE, by="ldxh1")
    desk.work(
        dossier_id, "guide_online_submission", {"submission_channel": "assisted"}, by="tiepnhan1"
    )
    desk.work(dossier_id, "process_dossier", APPROVE, by="ldxh1")
    browser.login("tiepnhan1")

    page = browser.get(f"/tasks/{desk.task_id(dossier_id, 'return_result')}").get_data(as_text=True)

    assert payload(page)["data"]["postal_address"] == "Số 5, Thôn Bắc"
    assert payload(page)["data"]["delivery_method"] == "postal"


def test_a_date_of_birth_after_today_is_refused_at_the_desk_keeping_what_was_typed(browser):
    browser.login("tiepnhan1")
    tomorrow = (datetime.now(LOCAL_TZ).date() + timedelta(days=1)).isoformat()
    desk_page = browser.get("/reception").get_data(as_text=True)
    form = {
        "procedure_code": "newborn_bundle",
        "channel": "in_person",
        "unit": "C01",
        "applicant.full_name": "Lê Thị Hồng",
        "applicant.id_number": "001234567891",
        "delivery_method": "in_person",
        "confirm_no_documents": "1",
        "data.newborn_bundle.child_full_name": "Lê Minh An",
        "data.newborn_bundle.child_birth_date": tomorrow,
    }

    refused = browser.post("/reception", form, content_type="multipart/form-data")
    english = browser.post("/reception?lang=en", form, content_type="multipart/form-data")

    today = datetime.now(LOCAL_TZ).date()
    assert f'max="{today.isoformat()}"' in desk_page  # the date picker stops at today
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert f"Ngày này không được sau hôm nay, {today:%d/%m/%Y}." in page
    assert "must not be after" not in page
    assert 'value="Lê Minh An"' in page and f'value="{tomorrow}"' in page
    assert f"Must not be after today, {today:%d/%m/%Y}." in english.get_data(as_text=True)
