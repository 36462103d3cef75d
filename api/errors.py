"""One error shape for the whole API: RFC 9457 problem details, Vietnamese title with English."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask import Response
from flask import jsonify
from werkzeug.exceptions import HTTPException

from engine.errors import BadQuery
from engine.errors import Conflict
from engine.errors import DiagramInvalid
from engine.errors import DomainError
from engine.errors import Forbidden
from engine.errors import InvalidData
from engine.errors import NotFound
from engine.errors import TooManyAttempts
from engine.errors import Unauthenticated
from engine.errors import UnsafeXml
from engine.errors import WorkflowIncident

STATUS_OF: dict[type[DomainError], int] = {
    BadQuery: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooManyAttempts: 429,
    UnsafeXml: 400,
    DiagramInvalid: 422,
    InvalidData: 422,
    WorkflowIncident: 409,
}

TITLES: dict[int, tuple[str, str]] = {
    400: ("Yêu cầu không hợp lệ", "Bad request"),
    401: ("Chưa đăng nhập hoặc phiên đã hết hạn", "Authentication required"),
    403: ("Không có quyền thực hiện", "Forbidden"),
    404: ("Không tìm thấy", "Not found"),
    405: ("Phương thức không được hỗ trợ", "Method not allowed"),
    409: ("Xung đột trạng thái", "Conflict"),
    413: ("Dữ liệu gửi lên quá lớn", "Payload too large"),
    415: ("Định dạng không được hỗ trợ", "Unsupported media type"),
    422: ("Dữ liệu không hợp lệ", "Invalid data"),
    429: ("Quá nhiều yêu cầu", "Too many requests"),
    500: ("Lỗi hệ thống", "Internal server error"),
}


def problem(status: int, detail: str, code: str, **extra: Any) -> Response:
    title_vi, title_en = TITLES.get(status, TITLES[500])
    body = {
        "type": "about:blank",
        "status": status,
        "title": f"{title_vi} ({title_en})",
        "detail": detail,
        "code": code,
        **extra,
    }
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def domain_problem(error: DomainError) -> Response:
    status = next(code for cls, code in STATUS_OF.items() if isinstance(error, cls))
    extra: dict[str, Any] = {}
    if isinstance(error, InvalidData) and error.errors:
        extra["errors"] = error.errors
    if isinstance(error, DiagramInvalid):
        extra["problems"] = [problem_dict(p) for p in error.problems]
    response = problem(status, error.detail, error.code, **extra)
    if isinstance(error, TooManyAttempts):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def problem_dict(item: Any) -> dict[str, Any]:
    return {
        "message": item.message,
        "element_id": item.element_id,
        "file": item.file,
        "line": item.line,
        "rule": item.rule,
    }


def http_problem(error: HTTPException) -> Response:
    status = error.code or 500
    extra: dict[str, Any] = {}
    messages = (getattr(error, "data", None) or {}).get("messages")
    if messages:
        extra["errors"] = _flatten(messages)
    return problem(status, error.description or "", f"http_{status}", **extra)


def _flatten(messages: dict[str, Any]) -> dict[str, Any]:
    """Marshmallow nests errors by location (json, query); clients want field -> messages."""
    flat: dict[str, Any] = {}
    for location in messages.values():
        flat.update(location if isinstance(location, dict) else {"_": location})
    return flat


def register(app: Flask) -> None:
    app.register_error_handler(DomainError, domain_problem)
    app.register_error_handler(HTTPException, http_problem)
