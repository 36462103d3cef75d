from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from api.auth import current_actor
from api.auth import issue_token
from api.database import read_session
from api.routes import Blueprint
from api.schemas.auth import LoginIn
from api.schemas.auth import MeOut
from api.schemas.auth import TokenOut
from engine.accounts import authenticate

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Đăng nhập (log in)")


@blp.route("/login")
class Login(MethodView):
    @blp.arguments(LoginIn)
    @blp.response(200, TokenOut)
    @blp.alt_response(401, description="wrong username or password")
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Log in and get a bearer token"""
        with read_session() as session:
            actor = authenticate(session, args["username"], args["password"])
        return {
            "token": issue_token(actor),
            "token_type": "Bearer",
            "expires_in": current_app.config["TOKEN_MAX_AGE_SECONDS"],
            "user": actor,
        }


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeOut)
    def get(self) -> Any:
        """Who the token belongs to, with roles per unit"""
        return current_actor()
