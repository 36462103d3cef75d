"""Log in and out of the pages: a signed cookie holding the key of a server-side session."""

from __future__ import annotations

import math
from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_wtf.csrf import CSRFError

from api.auth import client
from api.auth import log_in_page
from api.auth import log_out_page
from api.auth import login_policy
from api.auth import page_actor
from api.auth import session_policy
from api.database import new_uow
from api.pages.common import csrf
from api.pages.common import csrf_page
from api.pages.common import load_form
from api.pages.i18n import current_language
from api.pages.i18n import translate
from api.schemas.auth import LoginIn
from engine.errors import InvalidData
from engine.errors import TooManyAttempts
from engine.errors import Unauthenticated
from engine.people.logins import log_in

blp = Blueprint("pages_auth", __name__)


@blp.before_request
def _check_csrf() -> None:
    current_language()
    if request.method == "POST":
        csrf.protect()


blp.register_error_handler(CSRFError, csrf_page)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never `//host` or `https://host`."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("pages_inbox.inbox")


@blp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    next_target = request.values.get("next")
    if request.method == "GET":
        if page_actor() is not None:
            return redirect(_safe_next(next_target))
        return render_template("login.html", next=next_target, username="", errors={})
    username = request.form.get("username", "")
    try:
        args = load_form(
            LoginIn(), {"username": username, "password": request.form.get("password", "")}
        )
        with new_uow() as uow:
            result = log_in(uow, client(), login_policy(), **args, page_session=session_policy())
    except TooManyAttempts as error:
        minutes = math.ceil(error.retry_after / 60)
        message = translate("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.")
        page = _login_page(next_target, username, message.format(minutes=minutes))
        return page, 429, {"Retry-After": str(error.retry_after)}
    except (InvalidData, Unauthenticated):
        page = _login_page(next_target, username, translate("Sai tên đăng nhập hoặc mật khẩu."))
        return page, 401
    log_in_page(result)
    return redirect(_safe_next(next_target))


def _login_page(next_target: str | None, username: str, message: str) -> str:
    """The form again, with the username kept and why the login was refused."""
    return render_template(
        "login.html", next=next_target, username=username, errors={"_": [message]}
    )


@blp.post("/logout")
def logout() -> Any:
    log_out_page()
    flash(translate("Đã đăng xuất."), "info")
    return redirect(url_for("pages_auth.login"))
