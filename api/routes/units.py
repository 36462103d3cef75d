from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.auth import current_actor
from api.database import new_uow
from api.database import read_session
from api.routes import Blueprint
from api.schemas.catalogue import UnitOut
from api.schemas.users import UserIn
from api.schemas.users import UserOut
from engine.accounts import create_user
from engine.units import list_units

blp = Blueprint(
    "units", __name__, url_prefix="/api/v1", description="Đơn vị và người dùng (units and users)"
)


@blp.route("/units")
class Units(MethodView):
    @blp.response(200, UnitOut(many=True))
    def get(self) -> Any:
        """List the province and its communes and wards"""
        with read_session() as session:
            return list_units(session)


@blp.route("/users")
class Users(MethodView):
    @blp.arguments(UserIn)
    @blp.response(201, UserOut)
    @blp.alt_response(403, description="administrators only")
    @blp.alt_response(409, description="username taken")
    def post(self, args: dict[str, Any]) -> Any:
        """Create a user with roles in units (administrators)"""
        with new_uow() as uow:
            return create_user(
                uow,
                current_actor(),
                username=args["username"],
                password=args["password"],
                full_name=args["full_name"],
                roles=[(g["role"], g["unit"]) for g in args["roles"]],
            )
