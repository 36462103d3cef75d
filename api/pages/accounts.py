"""Accounts from the pages: every user changes their own password; administrators list the
accounts, disable and enable them, and set a new password for someone. The same schemas and
engine functions serve /api/v1/auth/password and /api/v1/users."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from marshmallow import Schema

from api.auth import client
from api.auth import forget_cached_identity
from api.auth import log_in_page
from api.auth import login_policy
from api.auth import session_policy
from api.database import new_uow
from api.database import read_session
from api.pages.common import actor
from api.pages.common import load_form
from api.pages.common import page_blueprint
from api.pages.i18n import translate
from api.schemas.base import page_bounds
from api.schemas.users import PasswordChangeIn
from api.schemas.users import PasswordResetIn
from api.schemas.users import UserQuery
from engine.errors import Conflict
from engine.errors import InvalidData
from engine.errors import TooManyAttempts
from engine.people.passwords import change_own_password
from engine.people.passwords import reset_password
from engine.people.user_admin import set_active
from engine.queries.users import UserFilter
from engine.queries.users import get_user
from engine.queries.users import list_users
from engine.queries.users import tasks_given_back
from engine.texts import N_

blp = page_blueprint("pages_accounts")

PER_PAGE = 20
STATUS_TABS = (("all", "Tất cả"), ("active", "Đang hoạt động"), ("disabled", "Đã khoá"))
ACTIVE_BY_STATUS: dict[str, bool | None] = {"all": None, "active": True, "disabled": False}
LIST_ARGS = ("q", "status", "page")
"""The list's query string, carried through the row forms so the admin comes back to it."""

Errors = dict[str, list[str]]


def _checked(schema: Schema, body: dict[str, str], repeat: str) -> tuple[dict[str, Any], Errors]:
    """The form loaded with the API's schema, and every field's messages at once. The repeat
    of the new password is the page's own check: a typo must not lock someone out."""
    errors: Errors = {}
    if repeat != body["new_password"]:
        errors["repeat_password"] = [translate("Hai lần nhập mật khẩu mới không khớp.")]
    try:
        args = load_form(schema, body)
    except InvalidData as error:
        return {}, {**error.errors, **errors}
    return args, errors


# Password inputs are never filled back in: browsers and password managers must not get a
# page with a password in its HTML (cached, saved, or shown by "view source").
def _own_form(errors: Errors, status: int = 200) -> tuple[str, int]:
    return render_template("account_password.html", errors=errors), status


@blp.route("/account/password", methods=["GET", "POST"])
def password() -> Any:
    """Change my password; this browser stays logged in, every other session and token ends."""
    if request.method == "GET":
        return _own_form({})
    me = actor()
    body = {
        "current_password": request.form.get("current_password", ""),
        "new_password": request.form.get("new_password", ""),
    }
    args, errors = _checked(PasswordChangeIn(), body, request.form.get("repeat_password", ""))
    if errors:
        return _own_form(errors, 422)
    try:
        with new_uow() as uow:
            result = change_own_password(
                uow, me, client(), login_policy(), **args, page_session=session_policy()
            )
    except TooManyAttempts as error:
        minutes = math.ceil(error.retry_after / 60)
        message = translate("Nhập sai mật khẩu quá nhiều lần. Vui lòng thử lại sau {minutes} phút.")
        page = render_template(
            "account_password.html", errors={"_": [message.format(minutes=minutes)]}
        )
        return page, 429, {"Retry-After": str(error.retry_after)}
    except InvalidData as error:
        return _own_form(error.errors, 422)
    log_in_page(result)
    forget_cached_identity(me.user_id)
    flash(translate("Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc."), "success")
    return redirect(url_for("pages_inbox.inbox"))


def _list_args(source: Mapping[str, str]) -> dict[str, str]:
    return {key: source[key] for key in LIST_ARGS if source.get(key)}


def _back_to_list() -> Any:
    """The list as the admin left it: the row forms carry its query string as fields."""
    return redirect(url_for("pages_accounts.users", **_list_args(request.form)))


def _query() -> tuple[dict[str, Any], str]:
    """The list's query string read by the API's UserQuery; bad values fall back to defaults."""
    status = request.args.get("status", "all")
    status = status if status in ACTIVE_BY_STATUS else "all"
    raw = {"page": request.args.get("page", "1"), "per_page": str(PER_PAGE)}
    if request.args.get("q", "").strip():
        raw["q"] = request.args["q"].strip()
    if ACTIVE_BY_STATUS[status] is not None:
        raw["active"] = str(ACTIVE_BY_STATUS[status]).lower()
    try:
        return load_form(UserQuery(), raw), status
    except InvalidData:
        return load_form(UserQuery(), {"per_page": str(PER_PAGE)}), "all"


@blp.get("/users")
def users() -> Any:
    args, status = _query()
    offset, limit = page_bounds(args)
    where = UserFilter(text=args.get("q"), active=args.get("active"))
    with read_session() as session:
        page = list_users(session, actor(), where, offset=offset, limit=limit)
    return render_template(
        "users.html",
        users=page.items,
        total=page.total,
        q=args.get("q", ""),
        status=status,
        tabs=STATUS_TABS,
        back=_list_args(request.args),
        page=args["page"],
        pages=max(1, -(-page.total // PER_PAGE)),
    )


@blp.get("/users/<int:user_id>/disable")
def confirm_disable(user_id: int) -> Any:
    """Disabling shuts someone out and gives back their tasks: a page asks first (no inline
    script may do it under the CSP)."""
    with read_session() as session:
        target = get_user(session, actor(), user_id)
        given_back = tasks_given_back(session, actor(), user_id, keeping=[])
    return render_template(
        "user_disable.html",
        target=target,
        given_back=given_back,
        back=_list_args(request.args),
    )


@blp.post("/users/<int:user_id>/disable")
def disable(user_id: int) -> Any:
    return _set_active(user_id, active=False)


@blp.post("/users/<int:user_id>/enable")
def enable(user_id: int) -> Any:
    return _set_active(user_id, active=True)


def _set_active(user_id: int, *, active: bool) -> Any:
    me = actor()
    try:
        with new_uow() as uow:
            target = set_active(uow, me, client(), user_id, active=active)
    except Conflict as error:
        flash(error.detail, "error")
        return _back_to_list()
    forget_cached_identity(user_id)
    done = N_("Đã mở khoá tài khoản {username}.") if active else N_("Đã khoá tài khoản {username}.")
    flash(translate(done).format(username=target.username), "success")
    return _back_to_list()


@blp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def reset(user_id: int) -> Any:
    """An administrator sets someone's password; their own is changed with the current one."""
    me = actor()
    with read_session() as session:
        target = get_user(session, me, user_id)
    if user_id == me.user_id:
        return redirect(url_for("pages_accounts.password"))
    if request.method == "GET":
        return render_template("user_password.html", target=target, errors={})
    body = {"new_password": request.form.get("new_password", "")}
    args, errors = _checked(PasswordResetIn(), body, request.form.get("repeat_password", ""))
    try:
        if errors:
            raise InvalidData("the form is not valid", errors)
        with new_uow() as uow:
            reset_password(uow, me, client(), user_id, **args)
    except InvalidData as error:
        return render_template("user_password.html", target=target, errors=error.errors), 422
    forget_cached_identity(user_id)
    done = translate("Đã đặt mật khẩu mới cho {username}.").format(username=target.username)
    flash(done, "success")
    return redirect(url_for("pages_accounts.users"))
