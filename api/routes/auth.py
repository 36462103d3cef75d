from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from api.auth import client
from api.auth import current_actor
from api.auth import forget_cached_identity
from api.auth import issue_token
from api.auth import login_policy
from api.database import new_uow
from api.routes import Blueprint
from api.schemas.auth import LoginIn
from api.schemas.auth import MeOut
from api.schemas.auth import TokenOut
from api.schemas.users import PasswordChangeIn
from engine.people.logins import LoginResult
from engine.people.logins import log_in
from engine.people.logins import log_out_tokens
from engine.people.passwords import change_own_password

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Đăng nhập (log in)")


@blp.route("/login")
class Login(MethodView):
    @blp.arguments(LoginIn)
    @blp.response(200, TokenOut)
    @blp.alt_response(401, description="wrong username or password")
    @blp.alt_response(
        429,
        description="too many failed logins for this username or address lately; the "
        "Retry-After header says in how many seconds to try again",
    )
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Log in and get a bearer token"""
        with new_uow() as uow:
            login = log_in(uow, client(), login_policy(), **args)
        return _token_body(login)


@blp.route("/logout")
class Logout(MethodView):
    @blp.response(204)
    def post(self) -> None:
        """Log out of the API: this token and every other bearer token of mine issued until
        now stop working (page sessions log out on their own page)"""
        actor = current_actor()
        with new_uow() as uow:
            log_out_tokens(uow, actor, client())
        forget_cached_identity(actor.user_id)


@blp.route("/password")
class Password(MethodView):
    @blp.arguments(PasswordChangeIn)
    @blp.response(200, TokenOut)
    @blp.alt_response(
        422, description="the current password is wrong, or the new one breaks the rules"
    )
    @blp.alt_response(429, description="too many wrong passwords for this username lately")
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Change my password. Every token and page session issued before ends; the answer
        carries a new token"""
        actor = current_actor()
        with new_uow() as uow:
            login = change_own_password(uow, actor, client(), login_policy(), **args)
        forget_cached_identity(actor.user_id)
        return _token_body(login)


def _token_body(login: LoginResult) -> dict[str, Any]:
    return {
        "token": issue_token(login),
        "token_type": "Bearer",
        "expires_in": current_app.config["TOKEN_MAX_AGE_SECONDS"],
        "user": login.actor,
    }


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeOut)
    def get(self) -> Any:
        """Who the token belongs to, with roles per unit"""
        return current_actor()
