"""Printable pages: Vietnamese dates, money and labels for the slip templates, and one response
that is the HTML page or, with format=pdf, the same page as a PDF download."""

from __future__ import annotations

import re
from datetime import date
from datetime import datetime
from typing import Any

from flask import Blueprint
from flask import Response
from flask import render_template

from api.pdf import html_to_pdf
from engine.rules.calendar import LOCAL_TZ

LABELS: dict[str, dict[str, str]] = {
    "channel": {
        "in_person": "Trực tiếp",
        "online": "Trực tuyến",
        "postal": "Qua dịch vụ bưu chính công ích",
    },
    "delivery": {
        "in_person": "Nhận trực tiếp",
        "online": "Nhận trực tuyến (Cổng Dịch vụ công, VNeID)",
        "electronic": "Nhận bản điện tử (Cổng Dịch vụ công, VNeID, thư điện tử)",
        "postal": "Qua dịch vụ bưu chính công ích",
    },
    "outcome": {
        "received": "Đã tiếp nhận, chuyển xử lý",
        "open": "Đang xử lý",
        "processing": "Đang xử lý",
        "completed": "Hoàn thành",
        "cancelled": "Không thực hiện (quy trình chuyển hướng)",
        "supplement_requested": "Yêu cầu bổ sung hồ sơ",
        "supplement_received": "Đã nhận hồ sơ bổ sung",
        "refused": "Từ chối giải quyết",
        "withdrawn": "Công dân rút hồ sơ",
        "stopped": "Dừng giải quyết",
        "result_returned": "Đã trả kết quả",
    },
    "timeliness": {
        "early": "Trước hạn",
        "on_time": "Đúng hạn",
        "late": "Quá hạn",
        "within_limit": "Đang xử lý, trong hạn",
        "due_soon": "Đang xử lý, sắp đến hạn",
        "overdue": "Đang xử lý, quá hạn",
    },
}

PLACE_PREFIXES = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ", "Thị trấn ")


def _local(value: Any) -> Any:
    return value.astimezone(LOCAL_TZ) if isinstance(value, datetime) else value


def vn_time(value: Any) -> str:
    """`15 giờ 30, ngày 22/11/2026` in Vietnam time; a date alone prints as `ngày 22/11/2026`."""
    value = _local(value)
    if isinstance(value, datetime):
        return f"{value:%H} giờ {value:%M}, ngày {value:%d/%m/%Y}"
    if isinstance(value, date):
        return f"ngày {value:%d/%m/%Y}"
    return "" if value is None else str(value)


def vn_date(value: Any) -> str:
    value = _local(value)
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return "" if value is None else str(value)


def vn_long_date(value: Any) -> str:
    """`ngày 22 tháng 11 năm 2026`, as on the place-and-date line of an official document."""
    value = _local(value)
    if isinstance(value, date):
        return f"ngày {value:%d} tháng {value:%m} năm {value:%Y}"
    return "ngày ..... tháng ..... năm ......."


def money(value: int | None) -> str:
    if value is None:
        return ""
    if value == 0:
        return "Miễn phí, lệ phí"
    return f"{value:,} đồng".replace(",", ".")


def place_name(unit_name: str) -> str:
    """`Xã Tân Hòa` -> `Tân Hòa`, for the place-and-date line."""
    for prefix in PLACE_PREFIXES:
        if unit_name.startswith(prefix):
            return unit_name[len(prefix) :]
    return unit_name


def label(value: str | None, kind: str) -> str:
    if value is None:
        return ""
    return LABELS[kind].get(value, value)


def install(blueprint: Blueprint) -> None:
    """Make the filters available to the slip templates."""
    for function in (vn_time, vn_date, vn_long_date, money, place_name, label):
        blueprint.add_app_template_filter(function, function.__name__)


def printable(template: str, *, filename: str, as_pdf: bool, **context: Any) -> Response:
    """The rendered page, or the same page as `<filename>.pdf` to download."""
    html = render_template(template, **context)
    if not as_pdf:
        return Response(html, mimetype="text/html")
    return Response(
        html_to_pdf(html),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{_safe(filename)}.pdf"'},
    )


def _safe(filename: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "-", filename)
