"""Dossier actions from the task and dossier pages: supplement (02), fee, refusal (03), apology
(04), result delivery; refused input re-renders the page with its messages."""

from __future__ import annotations

from sqlalchemy import update

from engine.models import Dossier
from tests.api.lifecycle import publish_certify_copy


def history_kinds(desk, dossier_id):
    return [e["kind"] for e in desk.dossier(dossier_id)["history"]]


def test_a_supplement_request_is_sent_from_the_task_page_and_recorded_later(browser, desk):
    dossier = desk.receive()
    task_id = desk.task_id(dossier["id"], "check_dossier")
    browser.login("tiepnhan1")
    page = browser.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'data-action="request_supplement"' in page

    url = f"/dossiers/{dossier['id']}/supplement-request"
    refused = browser.post(url, {"reason": "Thiếu giấy tờ", "items": "", "task_id": task_id})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Thiếu giấy tờ" in text
    assert 'data-action="request_supplement"' in text

    body = {"reason": "Thiếu giấy tờ", "items": "Giấy chứng sinh\nCCCD của mẹ", "task_id": task_id}
    sent = browser.post(url, body)
    assert sent.status_code == 302
    assert desk.dossier(dossier["id"])["status"] == "supplement_requested"
    assert "supplement_requested" in history_kinds(desk, dossier["id"])

    page = browser.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Đã gửi yêu cầu bổ sung (mẫu 02)." in page
    assert 'data-action="record_supplement"' in page
    recorded = browser.post(f"/dossiers/{dossier['id']}/supplement", {"note": "Đã nộp đủ"})
    assert recorded.status_code == 302
    assert desk.dossier(dossier["id"])["status"] == "received"


def test_a_refusal_needs_reasons_and_ends_the_dossier(browser, desk):
    dossier = desk.receive()
    browser.login("tiepnhan1")
    browser.get(f"/dossiers/{dossier['id']}")
    empty = browser.post(f"/dossiers/{dossier['id']}/refuse", {"reason": "  "})
    assert empty.status_code == 422
    assert "bắt buộc" in empty.get_data(as_text=True)
    assert desk.dossier(dossier["id"])["status"] == "received"

    done = browser.post(f"/dossiers/{dossier['id']}/refuse", {"reason": "Không thuộc thẩm quyền"})
    assert done.status_code == 302
    assert desk.dossier(dossier["id"])["status"] == "refused"
    page = browser.get(done.headers["Location"]).get_data(as_text=True)
    assert "Đã từ chối hồ sơ (mẫu 03)." in page
    assert 'data-action="refuse"' not in page


def test_an_apology_sets_a_new_date(browser, desk):
    dossier = desk.receive()
    browser.login("tiepnhan1")
    browser.get(f"/dossiers/{dossier['id']}")
    body = {"reason": "Cần xác minh thêm", "new_due_date": "2027-01-29"}
    done = browser.post(f"/dossiers/{dossier['id']}/apology", body)
    assert done.status_code == 302, done.get_data(as_text=True)
    after = desk.dossier(dossier["id"])
    assert after["due_at"].startswith("2027-01-29T17:00")
    assert "apology_issued" in history_kinds(desk, dossier["id"])


def test_the_result_of_a_processed_dossier_is_returned_from_the_dossier_page(
    browser, desk, new_uow
):
    dossier = desk.receive()
    with new_uow() as uow:  # a procedure whose diagram ends before delivery leaves it processed
        uow.session.execute(
            update(Dossier).where(Dossier.id == dossier["id"]).values(status="processed")
        )
        uow.session.commit()
    browser.login("tiepnhan1")
    page = browser.get(f"/dossiers/{dossier['id']}").get_data(as_text=True)
    assert 'data-action="return_result"' in page
    url = f"/dossiers/{dossier['id']}/return"
    refused = browser.post(url, {"method": "postal"})
    assert refused.status_code == 422
    assert "bưu chính" in refused.get_data(as_text=True)
    postal = {"method": "postal", "address": "Thôn Đông", "tracking_number": "EMS1"}
    done = browser.post(url, postal)
    assert done.status_code == 302
    assert desk.dossier(dossier["id"])["status"] == "result_returned"


def test_specialists_of_another_role_are_not_offered_the_reception_actions(browser, desk):
    dossier = desk.receive()
    browser.login("congan1")
    page = browser.get(f"/dossiers/{dossier['id']}").get_data(as_text=True)
    assert 'data-action="' not in page
    assert browser.post(f"/dossiers/{dossier['id']}/refuse", {"reason": "x"}).status_code == 302
    assert desk.dossier(dossier["id"])["status"] == "received"


def test_the_counter_asks_for_the_fee_and_records_its_payment_from_the_dossier_page(
    browser, desk, new_uow, actor
):
    publish_certify_copy(new_uow, actor)
    dossier = desk.receive("certify_copy", data={"pages": 5, "copies": 2})
    url = f"/dossiers/{dossier['id']}"
    browser.login("tiepnhan1")
    page = browser.get(url).get_data(as_text=True)
    assert "14.000 đồng" in page and "Chưa nộp" in page
    assert 'data-action="request_fee"' in page and 'data-action="record_fee"' in page

    asked = browser.post(f"{url}/fee-request", {"reason": "Nộp tại quầy số 2"})
    assert asked.status_code == 302
    assert desk.dossier(dossier["id"])["status"] == "financial_obligation"
    page = browser.get(asked.headers["Location"]).get_data(as_text=True)
    assert "Đã đề nghị nộp phí, lệ phí" in page
    assert 'data-action="request_fee"' not in page, "asked already"

    no_receipt = browser.post(f"{url}/fee", {"receipt_number": " "})
    assert no_receipt.status_code == 422
    assert "Nhập số biên lai." in no_receipt.get_data(as_text=True)
    assert desk.dossier(dossier["id"])["fee"]["paid"] is False

    paid = browser.post(f"{url}/fee", {"receipt_number": "BL-0042"})
    assert paid.status_code == 302
    after = desk.dossier(dossier["id"])
    assert after["status"] == "received", "the pause ends with the payment"
    assert after["fee"] == {"amount": 14000, "paid": True, "receipt_number": "BL-0042"}
    page = browser.get(paid.headers["Location"]).get_data(as_text=True)
    assert "Đã nộp (biên lai BL-0042)" in page
    assert 'data-action="record_fee"' not in page


def test_a_free_dossier_offers_no_fee_action(browser, desk):
    dossier = desk.receive()
    browser.login("tiepnhan1")
    page = browser.get(f"/dossiers/{dossier['id']}").get_data(as_text=True)
    assert 'data-action="request_fee"' not in page
    assert 'data-action="record_fee"' not in page
    assert 'data-testid="dossier-fee"' not in page
