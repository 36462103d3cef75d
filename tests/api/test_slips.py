"""The legal forms of Circular 01/2018 (01-06) and the newborn congratulatory letter, printed from
a dossier's data as HTML pages and as PDF files."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import pytest

from api.qr import qr_svg
from engine.instance.events import event
from engine.models import Dossier
from engine.rules.calendar import LOCAL_TZ
from engine.store.db import utcnow
from tests.api.journeys import APPLICANT

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def vn_time(iso: str) -> str:
    """How a slip prints an API time: `15 giờ 30, ngày 22/11/2026`, Vietnam time."""
    moment = datetime.fromisoformat(iso).astimezone(LOCAL_TZ)
    return f"{moment:%H} giờ {moment:%M}, ngày {moment:%d/%m/%Y}"


class _Rows(HTMLParser):
    """Text of each data cell (td) of the rows of the first table with `css_class`."""

    def __init__(self, css_class: str) -> None:
        super().__init__()
        self.css_class = css_class
        self.depth = 0
        self.rows: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and self.css_class in classes and not self.rows:
            self.depth = 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag == "td":
            self.rows[-1].append("")
        elif self.depth and tag == "br" and self.rows and self.rows[-1]:
            self.rows[-1][-1] += "\n"

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.depth = 0

    def handle_data(self, data: str) -> None:
        if self.depth and self.rows and self.rows[-1]:
            self.rows[-1][-1] += data


def table_rows(html: str, css_class: str) -> list[list[str]]:
    parser = _Rows(css_class)
    parser.feed(html)
    return [[" ".join(cell.split()) for cell in row] for row in parser.rows if row]


def slip(desk, dossier_id: int, form: str, *, by: str = "tiepnhan1", **params: Any):
    return desk.get(f"/api/v1/dossiers/{dossier_id}/slips/{form}", by=by, **params)


def page(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def add_event(new_uow, actor, dossier_id: int, kind: str, detail: dict[str, Any], by: str) -> None:
    """Test data: an event row as the lifecycle use cases write it."""
    who = actor(by)
    with new_uow() as uow:
        uow.begin_write()
        dossier = uow.session.get_one(Dossier, dossier_id)
        uow.session.add(
            event(
                dossier_id,
                kind,
                utcnow(),
                actor_id=who.user_id,
                unit_id=dossier.competent_unit_id,
                detail=detail,
            )
        )
        uow.commit()


def pdf_text(pdf: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed: cannot read the PDF text")
    path = tmp_path / "slip.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(  # noqa: S603 - fixed program, our own temporary file
        ["pdftotext", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        timeout=60,
    )
    return " ".join(done.stdout.decode().split())


def test_the_receipt_slip_prints_the_applicant_the_unit_and_the_appointment(desk):
    applicant = {**APPLICANT, "address": "Thôn Đông, Xã Tân Hòa"}
    dossier = desk.receive(applicant=applicant)

    html = page(slip(desk, dossier["id"], "01"))

    for text in (
        *MOTTO,
        "Mẫu số 01",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Xã Tân Hòa",
        "Nguyễn Văn An",
        "001234567890",
        "0912345678",
        "Thôn Đông, Xã Tân Hòa",
        dossier["code"],
        dossier["procedure_name"],
        vn_time(dossier["received_at"]),
        vn_time(dossier["due_at"]),
        "Theo thành phần hồ sơ của thủ tục",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Nguyễn Thị Lan",
    ):
        assert text in html, text
    assert "@page { size: A5" in html


def test_the_receipt_slip_lists_the_papers_handed_in(desk):
    documents = [
        {"name": "Giấy chứng sinh", "kind": "Bản chính", "quantity": 1},
        "Tờ khai đăng ký khai sinh",
    ]
    dossier = desk.receive(data={"documents": documents})

    rows = table_rows(page(slip(desk, dossier["id"], "01")), "grid")

    assert rows == [
        ["1", "Giấy chứng sinh", "Bản chính", "1"],
        ["2", "Tờ khai đăng ký khai sinh", "", ""],
    ]


def test_the_supplement_slip_lists_the_items_asked_for(desk, new_uow, actor):
    dossier = desk.receive()
    add_event(
        new_uow,
        actor,
        dossier["id"],
        "supplement_requested",
        {
            "reason": "Thiếu giấy tờ",
            "items": ["Giấy chứng sinh bản chính", "Bản sao giấy đăng ký kết hôn"],
            "applicant_due_at": "2026-12-01T17:00:00+07:00",
        },
        by="tiepnhan1",
    )

    html = page(slip(desk, dossier["id"], "02"))

    for text in (
        *MOTTO,
        "Mẫu số 02",
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "Nguyễn Văn An",
        dossier["code"],
        "<li>Giấy chứng sinh bản chính</li>",
        "<li>Bản sao giấy đăng ký kết hôn</li>",
        "Thiếu giấy tờ",
        "17 giờ 00, ngày 01/12/2026",
    ):
        assert text in html, text


def test_a_reception_check_that_names_missing_papers_fills_the_supplement_slip(desk):
    dossier_id = desk.receive()["id"]
    missing = "Giấy chứng sinh bản chính\nTờ khai có chữ ký"
    desk.work(
        dossier_id,
        "check_dossier",
        {"dossier_complete": "no", "missing_items": missing},
        by="tiepnhan1",
    )

    html = page(slip(desk, dossier_id, "02"))

    assert "<li>Giấy chứng sinh bản chính</li>" in html
    assert "<li>Tờ khai có chữ ký</li>" in html


def test_the_refusal_slip_gives_the_reason(desk, new_uow, actor):
    dossier = desk.receive()
    reason = "Hồ sơ không thuộc thẩm quyền giải quyết của xã"
    add_event(new_uow, actor, dossier["id"], "refused", {"reason": reason}, by="tiepnhan1")

    html = page(slip(desk, dossier["id"], "03"))

    for text in (*MOTTO, "Mẫu số 03", "PHIẾU TỪ CHỐI", reason, "Nguyễn Văn An", dossier["code"]):
        assert text in html, text


def test_the_apology_slip_gives_the_new_date(desk, new_uow, actor):
    dossier = desk.receive()
    add_event(
        new_uow,
        actor,
        dossier["id"],
        "apology_issued",
        {
            "reason": "Chờ xác minh thông tin cư trú",
            "old_due_at": dossier["due_at"],
            "new_due_at": "2026-12-15T17:00:00+07:00",
        },
        by="hotich1",
    )

    html = page(slip(desk, dossier["id"], "04"))

    for text in (
        *MOTTO,
        "Mẫu số 04",
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "Chờ xác minh thông tin cư trú",
        vn_time(dossier["due_at"]),
        "17 giờ 00, ngày 15/12/2026",
        "Nguyễn Văn An",
    ):
        assert text in html, text


def test_slips_print_dotted_lines_where_nothing_was_recorded(desk):
    dossier_id = desk.receive()["id"]
    for form in ("02", "03", "04"):
        html = page(slip(desk, dossier_id, form))
        assert "Nguyễn Văn An" in html
        assert "......" in html, form


def test_the_control_slip_has_one_row_per_hand_over_between_units(desk):
    dossier = desk.receive(unit="C02")
    dossier_id = dossier["id"]
    desk.work(dossier_id, "check_dossier", {"dossier_complete": "yes"}, by="tiepnhan2")

    html = page(slip(desk, dossier_id, "05"))
    rows = table_rows(html, "control")

    assert "Mẫu số 05" in html
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in html
    assert dossier["code"] in html
    assert len(rows) == 3
    received, check, birth = rows
    assert received[0] == "1. Giao: Bộ phận Một cửa Xã Tân Hòa Nhận: Xã Bình An"
    assert vn_time(dossier["received_at"]) in received[1]
    assert "Người giao: Nguyễn Thị Lan" in received[1]
    assert "Đã tiếp nhận" in received[2]
    assert "Trực tiếp" in received[3]
    assert "Xã Bình An" in check[0]
    assert "Người nhận: Nguyễn Thị Lan" in check[1]
    assert check[2].startswith("Hoàn thành")
    assert "Đăng ký khai sinh" in birth[0]
    assert birth[2] == "Đang xử lý"


def test_the_control_slip_of_a_finished_dossier_ends_with_the_return_of_the_result(desk):
    dossier_id = desk.receive()["id"]
    desk.work_newborn(
        dossier_id,
        "check_dossier",
        "register_birth",
        "register_residence",
        "issue_health_insurance_card",
        "return_results",
    )

    rows = table_rows(page(slip(desk, dossier_id, "05")), "control")

    received, *steps, returned = rows
    assert received[0] == "1. Giao: Bộ phận Một cửa Xã Tân Hòa Nhận: Xã Tân Hòa"
    assert [step[0].rsplit("Nhận: Xã Tân Hòa ", 1)[1] for step in steps] == [
        "Kiểm tra tính đầy đủ, hợp lệ của hồ sơ",
        "Đăng ký khai sinh",
        "Đăng ký thường trú",
        "Cấp thẻ bảo hiểm y tế",
        "Trả kết quả",
    ]
    assert all(step[2].startswith("Hoàn thành") for step in steps)
    assert "Người nhận: Lê Quốc Hùng" in steps[2][1]
    assert returned[0] == "7. Giao: Xã Tân Hòa Nhận: Người nộp hồ sơ"
    assert "Người nhận: Nguyễn Văn An" in returned[1]
    assert (returned[2], returned[3]) == ("Đã trả kết quả", "Nhận trực tiếp")


def test_the_register_line_of_a_dossier_and_the_units_register_for_a_period(desk):
    first = desk.receive()
    second = desk.receive(applicant={**APPLICANT, "full_name": "Trần Thị Bích"})
    desk.receive(by="tiepnhan2")

    html = page(slip(desk, second["id"], "06"))
    [line] = table_rows(html, "register")
    assert "Mẫu số 06" in html and "SỔ THEO DÕI HỒ SƠ" in html
    assert "@page { size: A4 landscape" in html
    assert line[:4] == ["2", second["code"], "Trần Thị Bích", second["procedure_name"]]

    today = datetime.fromisoformat(first["received_at"]).astimezone(LOCAL_TZ).date()
    response = desk.get(
        "/api/v1/registers/06",
        by="lanhdao1",
        unit="C01",
        **{"from": today.isoformat(), "to": today.isoformat()},
    )
    lines = table_rows(page(response), "register")
    assert [line[:3] for line in lines] == [
        ["1", first["code"], "Nguyễn Văn An"],
        ["2", second["code"], "Trần Thị Bích"],
    ]
    assert lines[0][4] == vn_time(first["received_at"])
    assert lines[0][5] == vn_time(first["due_at"])
    assert lines[0][7] == "Được tiếp nhận"


def test_the_register_refuses_a_reversed_period_and_other_units_staff(desk):
    today = datetime.now(LOCAL_TZ).date()
    reversed_period = desk.get(
        "/api/v1/registers/06",
        by="tiepnhan1",
        unit="C01",
        **{"from": today.isoformat(), "to": (today - timedelta(days=1)).isoformat()},
    )
    assert reversed_period.status_code == 422
    assert list(reversed_period.json["errors"]) == ["to"]
    assert desk.get("/api/v1/registers/06", by="tiepnhan2", unit="C01").status_code == 403
    assert (
        desk.get("/api/v1/registers/06", by="thietke", unit="C01").status_code == 403
    )  # no casework
    assert desk.get("/api/v1/registers/06", by="lanhdao1", unit="C01").status_code == 200
    assert desk.get("/api/v1/registers/06", by="tiepnhan1", unit="C01", page=2).status_code == 422


def tracking_link(base: str, dossier: dict[str, Any]) -> str:
    return f"{base}/tra-cuu?" + urlencode({"code": dossier["code"], "key": dossier["lookup_key"]})


def test_the_receipt_slip_has_a_qr_code_that_opens_the_tracking_page(desk, client):
    dossier = desk.receive()

    html = page(slip(desk, dossier["id"], "01"))

    link = tracking_link("http://localhost", dossier)
    assert f'{qr_svg(link)}<div class="qr-caption">Quét mã để tra cứu</div>' in html
    assert html.count("<svg") == 1
    scanned = client.get(link)  # what a phone opens, with no session
    assert scanned.status_code == 200
    assert "Được tiếp nhận" in scanned.get_data(as_text=True)
    assert "<svg" not in page(slip(desk, dossier["id"], "05"))  # only the receipt has one


def test_the_qr_code_points_at_the_public_address_when_one_is_set(app, desk):
    app.config["PUBLIC_BASE_URL"] = "https://motcua.tanhoa.gov.vn/"
    dossier = desk.receive()

    html = page(slip(desk, dossier["id"], "01"))

    assert qr_svg(tracking_link("https://motcua.tanhoa.gov.vn", dossier)) in html


def test_a_slip_downloads_as_a_pdf_with_the_vietnamese_text(desk, tmp_path):
    dossier = desk.receive()

    response = slip(desk, dossier["id"], "01", format="pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="mau-01-{dossier["code"]}.pdf"'
    )
    assert response.data.startswith(b"%PDF")
    text = pdf_text(response.data, tmp_path)
    for words in (
        "Nguyễn Văn An",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Xã Tân Hòa",
        "Quét mã để tra cứu",
    ):
        assert words in text, words
    assert dossier["code"] in text


def test_the_congratulatory_letter_names_the_child(desk, tmp_path):
    dossier_id = desk.receive(data={"child_full_name": "Nguyễn Minh Khôi"})["id"]
    desk.work_newborn(dossier_id, "check_dossier", "register_birth")

    html = page(desk.get(f"/api/v1/dossiers/{dossier_id}/letter", by="tiepnhan1"))
    for text in (*MOTTO, "THƯ CHÚC MỪNG", "ỦY BAN NHÂN DÂN", "XÃ TÂN HÒA", "Nguyễn Minh Khôi"):
        assert text in html, text
    assert "15/2026" in html  # the birth registration number from the civil-status step

    pdf = desk.get(f"/api/v1/dossiers/{dossier_id}/letter", by="tiepnhan1", format="pdf")
    assert pdf.mimetype == "application/pdf"
    assert "Nguyễn Minh Khôi" in pdf_text(pdf.data, tmp_path)


CHILD = {"child_full_name": "Lê Minh Khôi", "child_birth_date": "2026-11-30", "child_sex": "male"}


def test_the_receipt_supplement_and_control_slips_name_the_child_under_the_applicant(
    desk, tmp_path
):
    """The reception form marks the child's name and date of birth `printOnSlips`; the sex,
    not marked, stays off the slips."""
    dossier_id = desk.receive(data=CHILD)["id"]

    for form in ("01", "02", "05"):
        text = pdf_text(slip(desk, dossier_id, form, format="pdf").data, tmp_path)
        applicant = text.index("Nguyễn Văn An")
        child = text.index("Họ, chữ đệm, tên của trẻ: Lê Minh Khôi")
        assert applicant < child < text.index("Ngày sinh của trẻ:") < text.index("30/11/2026"), form
        assert "Giới tính" not in text, form


def test_a_slip_leaves_a_dotted_line_for_a_child_not_recorded(desk):
    dossier_id = desk.receive()["id"]

    html = page(slip(desk, dossier_id, "01"))

    assert 'Họ, chữ đệm, tên của trẻ: <b><span class="blank">' in html
    assert "Ngày sinh của trẻ: <b><span class" in html
    assert "tên của trẻ" not in page(slip(desk, desk.receive("social_allowance")["id"], "01"))


def test_the_letter_leaves_a_line_for_the_childs_name_when_it_is_unknown(desk):
    dossier_id = desk.receive()["id"]

    html = page(desk.get(f"/api/v1/dossiers/{dossier_id}/letter", by="tiepnhan1"))

    assert "THƯ CHÚC MỪNG" in html
    assert 'cháu <b><span class="blank">......' in html


def test_only_the_newborn_bundle_has_a_letter(desk):
    dossier_id = desk.receive("social_allowance", by="tiepnhan1")["id"]

    response = desk.get(f"/api/v1/dossiers/{dossier_id}/letter", by="tiepnhan1")

    assert response.status_code == 404


def test_slips_are_refused_to_other_units_and_unknown_forms_are_not_found(desk):
    dossier_id = desk.receive()["id"]

    for form in ("01", "05", "06"):
        assert slip(desk, dossier_id, form, by="tiepnhan2").status_code == 403, form
    assert desk.get(f"/api/v1/dossiers/{dossier_id}/letter", by="congan2").status_code == 403
    assert slip(desk, dossier_id, "07").status_code == 404
    assert slip(desk, dossier_id, "1").status_code == 404
    assert slip(desk, 999999, "01").status_code == 404
    assert slip(desk, dossier_id, "01", format="docx").status_code == 422


def test_a_receipt_listing_six_papers_still_prints_on_one_a5_page(desk, tmp_path):
    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo (Debian poppler-utils) is not installed: cannot count the pages")
    documents = [
        {"name": f"Giấy tờ số {number} kèm theo hồ sơ", "kind": "Bản sao", "quantity": 1}
        for number in range(1, 7)
    ]
    applicant = {**APPLICANT, "address": "Thôn Đông, Xã Tân Hòa, Tỉnh Thái Hòa"}
    dossier = desk.receive(applicant=applicant, data={"documents": documents, **CHILD})

    pdf = tmp_path / "slip.pdf"
    pdf.write_bytes(slip(desk, dossier["id"], "01", format="pdf").data)
    info = subprocess.run(  # noqa: S603 - fixed program, our own temporary file
        ["pdfinfo", str(pdf)],  # noqa: S607
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    assert re.search(r"^Pages:\s+1$", info, re.M), info
