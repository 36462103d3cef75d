"""Administrators' account pages beside the list (api/pages/accounts.py): create an account,
change its roles in units, unlock one locked out by failed logins; the same engine functions as
POST /api/v1/users, PUT …/roles and POST …/unlock."""

from __future__ import annotations

from typing import Any

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from api.auth import client
from api.auth import forget_cached_identity
from api.database import new_uow
from api.database import read_session
from api.pages.common import actor
from api.pages.common import load_form
from api.pages.common import page_blueprint
from api.pages.i18n import translate
from api.schemas.users import UserIn
from api.schemas.users import UserRolesIn
from engine.access.actors import require_role_anywhere
from engine.access.roles import ROLE_LABELS
from engine.errors import Conflict
from engine.errors import InvalidData
from engine.people.user_admin import create_user
from engine.people.user_admin import set_roles
from engine.people.user_admin import unlock
from engine.queries.units import list_units
from engine.queries.users import get_user
from engine.queries.users import tasks_given_back
from engine.views import RoleGrantView
from engine.views import UserView

blp = page_blueprint("pages_user_admin")

GRANT_ROWS = 3
"""Empty role rows a form offers beside the account's grants (more: save and open again)."""


def _grants(form: Any) -> list[dict[str, str]]:
    """The role rows of the form (`role.N`, `unit.N`), empty rows left out."""
    rows = []
    for key in sorted(k for k in form if k.startswith("role.")):
        index = key.partition(".")[2]
        role, unit = form.get(key, "").strip(), form.get(f"unit.{index}", "").strip()
        if role or unit:
            rows.append({"role": role, "unit": unit})
    return rows


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    with read_session() as session:
        units = list_units(session)
    grants = context.pop("grants", [])
    rows = [*grants, *({"role": "", "unit": ""} for _ in range(GRANT_ROWS))]
    page = render_template(
        template,
        roles=list(ROLE_LABELS),
        units=units,
        rows=rows,
        errors=context.pop("errors", {}),
        **context,
    )
    return page, status


@blp.get("/users/new")
def new_user() -> Any:
    require_role_anywhere(actor(), "admin")
    return _render("user_new.html", values={})


@blp.post("/users/new")
def create() -> Any:
    require_role_anywhere(actor(), "admin")
    values = request.form.to_dict()
    grants = _grants(request.form)
    body = {
        "username": values.get("username", "").strip(),
        "full_name": values.get("full_name", "").strip(),
        "password": values.get("password", ""),
        "roles": grants,
    }
    try:
        args = load_form(UserIn(), body)
        with new_uow() as uow:
            made = create_user(
                uow,
                actor(),
                username=args["username"],
                password=args["password"],
                full_name=args["full_name"],
                roles=[(g["role"], g["unit"]) for g in args["roles"]],
                client=client(),
            )
    except InvalidData as error:
        return _render("user_new.html", 422, values=values, grants=grants, errors=error.errors)
    except Conflict as error:
        errors = {"username": [translate("Tên đăng nhập đã có người dùng.")], "_": [error.detail]}
        return _render("user_new.html", 409, values=values, grants=grants, errors=errors)
    flash(translate("Đã tạo tài khoản {username}.").format(username=made.username), "success")
    return redirect(url_for("pages_accounts.users", q=made.username))


@blp.get("/users/<int:user_id>/roles")
def roles(user_id: int) -> Any:
    require_role_anywhere(actor(), "admin")
    with read_session() as session:
        target = get_user(session, actor(), user_id)
    grants = [{"role": g.role, "unit": g.unit} for g in target.roles]
    return _render("user_roles.html", target=target, grants=grants)


@blp.post("/users/<int:user_id>/roles")
def change_roles(user_id: int) -> Any:
    require_role_anywhere(actor(), "admin")
    grants = _grants(request.form)
    with read_session() as session:
        target = get_user(session, actor(), user_id)
    try:
        args = load_form(UserRolesIn(), {"roles": grants})
        wanted = [(g["role"], g["unit"]) for g in args["roles"]]
        removed = [g for g in target.roles if (g.role, g.unit) not in wanted]
        if removed and request.form.get("confirmed") != "1":
            return _confirm_removal(target, removed, wanted, grants)
        with new_uow() as uow:
            changed = set_roles(
                uow, actor(), client(), user_id, [(g["role"], g["unit"]) for g in args["roles"]]
            )
    except (InvalidData, Conflict) as error:
        errors = error.errors if isinstance(error, InvalidData) else {"roles": [error.detail]}
        return _render("user_roles.html", 422, target=target, grants=grants, errors=errors)
    forget_cached_identity(user_id)
    done = translate("Đã cập nhật vai trò của {username}.").format(username=changed.username)
    flash(done, "success")
    return redirect(url_for("pages_accounts.users", q=changed.username))


def _confirm_removal(
    target: UserView, removed: list[RoleGrantView], wanted: list[tuple[str, str]], grants: Any
) -> Any:
    """Taking a role away gives back the tasks held under it: the page names both and asks
    first (a plain form, no script), the chosen rows kept in hidden fields."""
    with read_session() as session:
        given_back = tasks_given_back(session, actor(), target.id, wanted)
    return _render(
        "user_roles_confirm.html",
        target=target,
        removed=removed,
        given_back=given_back,
        grants=grants,
    )


@blp.post("/users/<int:user_id>/unlock")
def unlock_account(user_id: int) -> Any:
    with new_uow() as uow:
        unlocked = unlock(uow, actor(), client(), user_id)
    done = translate(
        "Đã mở khoá đăng nhập cho {username}: các lần nhập sai mật khẩu gần đây được xoá."
    )
    flash(done.format(username=unlocked.username), "success")
    return redirect(url_for("pages_accounts.users", q=unlocked.username))
