from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from api.auth import client
from api.auth import current_actor
from api.auth import issue_token
from api.auth import login_policy
from api.database import new_uow
from api.routes import Blueprint
from api.schemas.auth import LoginIn
from api.schemas.auth import MeOut
from api.schemas.auth import TokenOut
from engine.logins import log_in

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
