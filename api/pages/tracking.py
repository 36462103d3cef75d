"""The citizens' tracking page: the code and key printed on the receipt (form 01) give the status
of a dossier, with no account; the same schema and engine function as GET /api/v1/tracking."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint
from flask import current_app
from flask import render_template
from flask import request

from api.auth import client
from api.auth import lookup_policy
from api.database import new_uow
from api.pages.common import load_form
from api.pages.common import timeliness_label
from api.pages.i18n import current_language
from api.pages.i18n import translate
from api.schemas.lifecycle import TrackingQuery
from engine.dossiers.lookup import track_guarded
from engine.errors import InvalidData
from engine.errors import NotFound
from engine.errors import TooManyAttempts
from engine.texts import N_

PATH = "/tra-cuu"

NOT_FOUND = N_(
    "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này. "
    "Vui lòng kiểm tra lại hai mã in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả."
)
"""One answer for an unknown code and a wrong key: the page never tells which part was wrong."""
TOO_MANY = N_("Đã nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.")

blp = Blueprint("pages_tracking", __name__)


@blp.before_request
def _language() -> None:
    """`?lang=` is read before rendering, as on the login page: there is no login here."""
    current_language()


@blp.get(PATH)
def track_dossier() -> Any:
    """The form alone, or filled in with the dossier's public status below it."""
    values = {name: request.args[name] for name in ("code", "key") if name in request.args}
    if not values:
        return _page(values)
    try:
        args = load_form(TrackingQuery(), values)
        with new_uow() as uow:
            view = track_guarded(uow, client().ip, lookup_policy(), **args)
    except InvalidData as error:
        return _page(values, errors=error.errors), 422
    except NotFound:
        return _page(values, errors={"_": [translate(NOT_FOUND)]}), 404
    except TooManyAttempts as error:
        minutes = math.ceil(error.retry_after / 60)
        message = translate(TOO_MANY).format(minutes=minutes)
        return _page(values, errors={"_": [message]}), 429, {"Retry-After": str(error.retry_after)}
    return _page(values, view=view, timeliness=timeliness_label(view.timeliness))


def _page(values: dict[str, str], **context: Any) -> str:
    context.setdefault("errors", {})
    return render_template("tracking.html", values=values, **context)


def tracking_url(code: str, key: str) -> str:
    """The page for one dossier at the address citizens reach, for the QR code on form 01:
    PUBLIC_BASE_URL when set (the server may sit behind a proxy), else this request's host."""
    base = current_app.config["PUBLIC_BASE_URL"] or request.host_url
    return f"{base.rstrip('/')}{PATH}?{urlencode({'code': code, 'key': key})}"
