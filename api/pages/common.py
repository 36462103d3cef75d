"""What every page shares: the logged-in user, CSRF, error pages, labels and time formats."""

from __future__ import annotations

import re
from datetime import date
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint
from flask import Response
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_wtf.csrf import CSRFError
from flask_wtf.csrf import CSRFProtect
from marshmallow import Schema
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from api.auth import page_actor
from api.auth import session_ended
from api.database import read_session
from api.pages.i18n import current_language
from api.pages.i18n import translate
from api.printing import money
from engine.access.actors import Actor
from engine.access.roles import ROLE_LABELS
from engine.errors import DomainError
from engine.errors import Forbidden
from engine.errors import InvalidData
from engine.errors import NotFound
from engine.queries.answers import AnswerLabels
from engine.queries.answers import answer_labels
from engine.queries.refs import unit_refs
from engine.rules.calendar import LOCAL_TZ
from engine.rules.status import STATUSES
from engine.rules.timeliness import LABELS_VI
from engine.rules.timeliness import LATE
from engine.rules.timeliness import OVERDUE
from engine.texts import N_
from engine.views import EventView

csrf = CSRFProtect()

CHANNEL_LABELS: dict[str, tuple[str, str]] = {
    "in_person": ("Trực tiếp", "In person"),
    "online": ("Trực tuyến", "Online"),
    "postal": ("Bưu chính", "Postal"),
}

POINT_LABELS: dict[str, tuple[str, str]] = {
    "counter": ("Tại quầy của Trung tâm", "At the center's counter"),
    "mobile": ("Điểm tiếp nhận lưu động", "Mobile reception point"),
    "health_facility": ("Cơ sở y tế", "Health facility"),
}
"""The kinds of engine.dossiers.receive.RECEPTION_POINT_KINDS."""

EVENT_LABELS: dict[str, tuple[str, str]] = {
    "received": ("Tiếp nhận hồ sơ", "Dossier received"),
    "task_created": ("Chuyển đến bước", "Step opened"),
    "task_claimed": ("Nhận xử lý", "Task claimed"),
    "task_released": ("Trả lại hàng đợi", "Task released"),
    "task_reassigned": ("Chuyển người xử lý", "Task reassigned"),
    "task_completed": ("Hoàn thành bước", "Step completed"),
    "task_cancelled": ("Hủy bước", "Step cancelled"),
    "status_changed": ("Đổi trạng thái", "Status changed"),
    "attachments_added": ("Thêm giấy tờ", "Documents added"),
    "supplement_requested": ("Yêu cầu bổ sung (mẫu 02)", "Supplement requested (form 02)"),
    "supplement_received": ("Nhận hồ sơ bổ sung", "Supplement received"),
    "apology_issued": ("Xin lỗi, hẹn lại (mẫu 04)", "Apology, new date (form 04)"),
    "result_returned": ("Trả kết quả", "Result returned"),
    "fee_recorded": ("Thu phí, lệ phí", "Fee recorded"),
    "refused": ("Từ chối (mẫu 03)", "Refused (form 03)"),
    "script_printed": ("Mã lệnh in ra", "Script printed"),
    "message_received": ("Nhận thông điệp từ hệ thống khác", "Message received from a system"),
    "signal_received": ("Nhận tín hiệu từ hệ thống khác", "Signal received from a system"),
    "timer_fired": ("Đến hẹn giờ", "Timer fired"),
    "timer_failed": ("Hẹn giờ bị lỗi", "Timer failed"),
    "incident_opened": ("Sự cố quy trình", "Workflow incident"),
    "incident_resolved": ("Đóng sự cố", "Incident resolved"),
    "task_due_soon": ("Nhắc việc sắp đến hạn", "Step due soon"),
    "task_escalated": ("Báo lãnh đạo: bước quá hạn", "Overdue step escalated"),
    "dossier_due_soon": ("Hồ sơ sắp đến hạn", "Dossier due soon"),
    "version_changed": ("Chuyển sang phiên bản mới của quy trình", "Moved to a new version"),
    "migrated": ("Chuyển sang phiên bản khác của quy trình", "Moved to another version"),
}


def page_blueprint(name: str) -> Blueprint:
    """A blueprint whose pages need a logged-in user and check CSRF on every form post."""
    blueprint = Blueprint(name, __name__)
    blueprint.before_request(_require_login)
    blueprint.register_error_handler(DomainError, error_page)
    blueprint.register_error_handler(CSRFError, csrf_page)
    return blueprint


def _require_login() -> Response | None:
    current_language()
    if request.method == "POST":
        csrf.protect()
    actor = page_actor()
    if actor is None:
        if session_ended() is not None:
            flash(translate("Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại."), "info")
        elif request.method == "GET":
            flash(translate("Vui lòng đăng nhập để tiếp tục."), "info")
        return redirect(url_for("pages_auth.login", next=_next_target()))
    g.actor = actor
    return None


def _next_target() -> str:
    return request.full_path.rstrip("?") if request.method == "GET" else "/"


def actor() -> Actor:
    found: Actor = g.actor
    return found


NOT_FOUND_TEXTS = (N_("Không tìm thấy"), N_("Trang hoặc hồ sơ bạn tìm không tồn tại."))
"""The error pages' title and text: shown through `_()` in error.html."""


def error_page(error: DomainError) -> tuple[str, int]:
    """Readable pages for refused and missing things; other errors name what went wrong."""
    if isinstance(error, Forbidden):
        other_unit = "another unit" in error.detail
        title, text, status = (
            N_("Không có quyền truy cập"),
            N_("Hồ sơ hoặc công việc này thuộc đơn vị khác. Bạn không được xem.")
            if other_unit
            else N_("Vai trò của bạn không được mở trang này hoặc làm việc này."),
            403,
        )
    elif isinstance(error, NotFound):
        title, text, status = (*NOT_FOUND_TEXTS, 404)
    else:
        title, text, status = N_("Không thực hiện được"), error.detail, 409
    page = render_template(
        "error.html", title=title, text=text, detail=error.detail, status_code=status
    )
    return page, status


HTTP_ERROR_TEXTS: dict[int, tuple[str, str]] = {
    404: NOT_FOUND_TEXTS,
    405: (N_("Không thực hiện được"), N_("Trang này không nhận thao tác đó.")),
    413: (N_("Tệp quá lớn"), N_("Các tệp gửi lên vượt quá dung lượng cho phép.")),
    429: (N_("Thử lại sau"), N_("Bạn đã thử quá nhiều lần; vui lòng đợi rồi thử lại.")),
}


def http_error_page(error: HTTPException) -> tuple[str, int]:
    """An HTTP error (unknown address, wrong method, upload too large) as a page, not JSON."""
    status = error.code or 500
    title, text = HTTP_ERROR_TEXTS.get(
        status, (N_("Không thực hiện được"), N_("Máy chủ không thực hiện được yêu cầu này."))
    )
    page = render_template("error.html", title=title, text=text, detail=None, status_code=status)
    return page, status


def csrf_page(error: CSRFError) -> tuple[str, int]:
    return render_template(
        "error.html",
        title=N_("Phiên làm việc đã hết hạn"),
        text=N_("Vui lòng tải lại trang và thử lại."),
        detail=error.description,
        status_code=400,
    ), 400


def load_form(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    """Validate a page form with the API's schema; errors come back as InvalidData per field."""
    try:
        loaded: dict[str, Any] = schema.load(data)
    except ValidationError as exc:
        raise InvalidData("the form is not valid", flatten_errors(exc.messages)) from exc
    return loaded


MARSHMALLOW_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^Missing data for required field\.$"), "Trường này là bắt buộc (required)."),
    (re.compile(r"^Field may not be null\.$"), "Trường này là bắt buộc (required)."),
    (
        re.compile(r"^Length must be between 1 and (\d+)\.$"),
        r"Trường này là bắt buộc, tối đa \1 ký tự (required, at most \1 characters).",
    ),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), r"Tối đa \1 ký tự (at most \1)."),
    (re.compile(r"^Not a valid datetime\.$"), "Ngày giờ không hợp lệ (not a valid date)."),
    (re.compile(r"^Not a valid email address\.$"), "Thư điện tử không hợp lệ (not a valid email)."),
    (re.compile(r"^Must be one of: .*\.$"), "Giá trị không được chấp nhận (not an allowed value)."),
)
"""The API answers in marshmallow's English; the pages say the same in Vietnamese first."""


def _vietnamese(message: str) -> str:
    for pattern, text in MARSHMALLOW_MESSAGES:
        if pattern.match(message):
            return pattern.sub(text, message)
    return message


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """{"applicant": {"id_number": [...]}} -> {"applicant.id_number": [...]}."""
    if isinstance(messages, list):
        return {prefix or "_": [_vietnamese(str(m)) for m in messages]}
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            flat.update(flatten_errors(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def local_time(moment: datetime | None, with_time: bool = True) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(LOCAL_TZ)
    return local.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def label(pair: tuple[str, str] | None, fallback: str = "") -> str:
    if pair is None:
        return fallback
    return pair[1] if current_language() == "en" else pair[0]


def role_label(role: str) -> str:
    return label(ROLE_LABELS.get(role), role)


def status_label(status: str) -> str:
    found = STATUSES.get(status)
    return label((found.label_vi, found.label_en) if found else None, status)


def event_label(kind: str) -> str:
    return label(EVENT_LABELS.get(kind), kind)


def channel_label(channel: str) -> str:
    return label(CHANNEL_LABELS.get(channel), channel)


def point_label(kind: str) -> str:
    return label(POINT_LABELS.get(kind), kind)


_BILINGUAL = re.compile(r"^(?P<vi>.+?)\s*\((?P<en>[ -~]*[A-Za-z][ -~]*)\)(?P<end>\.?)$", re.S)
"""A message ending with its English in brackets (plain ASCII: "(tối đa 64 KB)" is not)."""


def in_language(message: str) -> str:
    """The engine writes refusals as "Vietnamese (English)."; a page shows the half in its
    language (a leading "file.pdf: " kept in both). A message of another shape is as it is."""
    match = _BILINGUAL.match(str(message).strip())
    if match is None:
        return str(message)
    vietnamese = match.group("vi").rstrip(" .:;")
    if current_language() != "en":
        return vietnamese + "."
    english = match.group("en").strip()
    subject, _, rest = vietnamese.partition(": ")
    prefix = f"{subject}: " if rest and subject.isascii() else ""
    return prefix + english[:1].upper() + english[1:] + "."


def timeliness_label(timeliness: str) -> str:
    """The engine's Vietnamese words for the report buckets, in the page's language."""
    return translate(LABELS_VI.get(timeliness, timeliness))


def status_final(status: str) -> bool:
    found = STATUSES.get(status)
    return bool(found and found.final)


DETAIL_LABELS: dict[str, tuple[str, str]] = {
    "method": ("Hình thức", "Method"),
    "tracking_number": ("Số vận đơn", "Tracking number"),
    "address": ("Địa chỉ", "Address"),
    "note": ("Ghi chú", "Note"),
    "reason": ("Lý do", "Reason"),
    "paused_working_days": ("Số ngày làm việc tạm dừng", "Working days paused"),
    "due_at": ("Hạn", "Due"),
    "new_due_at": ("Hạn mới", "New due time"),
    "notified": ("Số người được báo", "People notified"),
    "lines": ("Dòng in ra", "Lines printed"),
    "error": ("Lỗi", "Error"),
    "attempts": ("Số lần", "Attempts"),
    "will_retry": ("Sẽ thử lại", "Will retry"),
    "from_version": ("Từ phiên bản", "From version"),
    "to_version": ("Sang phiên bản", "To version"),
    "incident_id": ("Sự cố số", "Incident"),
    "message": ("Nội dung", "Message"),
    "resolution": ("Kết quả", "Resolution"),
    "name": ("Tên", "Name"),
    "payload": ("Nội dung", "Payload"),
    "amount": ("Số tiền", "Amount"),
    "receipt_number": ("Số biên lai", "Receipt number"),
    "paid": ("Đã nộp", "Paid"),
    "items": ("Giấy tờ, nội dung cần bổ sung", "Papers or details to supply"),
    "applicant_due_at": ("Hạn bổ sung", "Supplement due"),
    "old_due_at": ("Hạn cũ", "Former due time"),
}
"""The words for the keys the engine writes in events' details (form answers use the form's)."""
HIDDEN_DETAIL_KEYS = frozenset({"kind", "message_id", "correlation", "elements", "role"})
METHOD_LABELS: dict[str, tuple[str, str]] = {
    **CHANNEL_LABELS,
    "public_service_portal": ("Cổng dịch vụ công", "Public service portal"),
}
YES_NO = {True: ("Có", "Yes"), False: ("Không", "No"), "yes": ("Có", "Yes"), "no": ("Không", "No")}


def event_detail(
    item: EventView, answers: dict[str, tuple[str, dict[str, str]]] | None = None
) -> str:
    """One readable line for an event of the history: the engine's keys and the step's form
    answers in words (`answers`: the version's field and option labels, engine.queries.answers)."""
    detail = dict(item.detail or {})
    if item.kind == "status_changed":
        text = f"{status_label(str(detail.get('from')))} → {status_label(str(detail.get('to')))}"
        return text + (f" ({detail['reason']})" if detail.get("reason") else "")
    if item.kind == "task_reassigned":
        text = f"{detail.get('from') or '—'} → {detail.get('to')}"
        return text + (f": {detail['note']}" if detail.get("note") else "")
    if item.kind == "task_created":
        return role_label(str(detail.get("role", ""))) + (
            f" · {item.to_unit.name}" if item.to_unit else ""
        )
    if item.kind in ("migrated", "version_changed"):
        return _version_move(detail)
    if item.kind == "attachments_added":
        return ", ".join(str(f.get("label")) for f in detail.get("files", []))
    if item.kind == "received":
        return channel_label(str(detail.get("channel", "")))
    if item.kind == "incident_opened":  # the engine's words are for the incidents page
        return f"{label(DETAIL_LABELS['incident_id'])}: {detail.get('incident_id', '')}"
    data = detail.pop("data", None)
    pairs = [
        *(_answer(key, value, answers or {}) for key, value in (data or {}).items()),
        *(
            (label(DETAIL_LABELS.get(key), key), _plain(key, value))
            for key, value in detail.items()
            if key not in HIDDEN_DETAIL_KEYS
        ),
    ]
    return "; ".join(f"{key}: {value}" for key, value in pairs if value not in ("", "—"))


def _version_move(detail: dict[str, Any]) -> str:
    """`v1 → v2`, the mapping used and the due times the target's step limits changed."""
    text = f"v{detail.get('from_version')} → v{detail.get('to_version')}"
    mapping = detail.get("mapping") or {}
    if mapping:
        pairs = ", ".join(f"{old} → {new}" for old, new in mapping.items())
        text += "; " + translate("ánh xạ") + f": {pairs}"
    for change in detail.get("due_changed") or []:
        due = local_time(datetime.fromisoformat(change["to"])) if change.get("to") else "—"
        text += "; " + translate("hạn mới của bước") + f" {change.get('element_id')}: {due}"
    return text


def _answer_labels(dossier: Any) -> AnswerLabels:
    """For a dossier page's history: the labels of its version's forms."""
    with read_session() as session:
        return answer_labels(session, dossier.procedure_code, dossier.procedure_version)


def _answer(key: str, value: Any, answers: AnswerLabels) -> tuple[str, str]:
    field_label, options = answers.get(key, (key, {}))
    if isinstance(value, list):
        return field_label, ", ".join(options.get(str(v), _plain(key, v)) for v in value)
    return field_label, options.get(str(value), _plain(key, value))


def _plain(key: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool) or value in ("yes", "no"):
        return label(YES_NO[value])
    if key == "method":
        return label(METHOD_LABELS.get(str(value)), str(value))
    if isinstance(value, list):
        return ", ".join(_plain(key, item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(k, v)}" for k, v in value.items())
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        return local_time(datetime.fromisoformat(value))
    if isinstance(value, str) and _ISO_DAY.match(value):
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    return str(value)


_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def url_with(**changes: Any) -> str:
    """The current page's URL with some query arguments changed (None drops one)."""
    args = {k: v for k, v in request.args.items() if k != "lang"}
    args.update({k: v for k, v in changes.items() if v is not None})
    for key in [k for k, v in changes.items() if v is None]:
        args.pop(key, None)
    query = urlencode(args)
    return request.path + (f"?{query}" if query else "")


def _user_context() -> dict[str, Any]:
    """Name, roles and units of the logged-in user, for the header of every page."""
    current = getattr(g, "actor", None)
    if current is None:
        return {"user": None}
    with read_session() as session:
        units = sorted({ref.name for ref in unit_refs(session, current.unit_ids()).values()})
    roles = sorted({role_label(grant.role) for grant in current.grants})
    if current.is_admin:
        roles, units = [role_label("admin")], [translate("Tất cả đơn vị")]
    return {"user": current, "user_roles": roles, "user_units": units}


def register_template_helpers(app: Any) -> None:
    app.jinja_env.globals.update(
        _=translate,
        N_=N_,
        lang=current_language,
        role_label=role_label,
        status_label=status_label,
        event_label=event_label,
        channel_label=channel_label,
        point_label=point_label,
        status_final=status_final,
        event_detail=event_detail,
        timeliness_label=timeliness_label,
        timeliness_late=lambda key: key in (LATE, OVERDUE),
        answer_labels=_answer_labels,
        url_with=url_with,
    )
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["file_size"] = file_size
    app.jinja_env.filters["in_language"] = in_language
    app.jinja_env.filters["plain_value"] = lambda value: _plain("", value)
    app.jinja_env.filters["money"] = money
    app.context_processor(_user_context)
