from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.auth import client
from api.auth import current_actor
from api.auth import forget_cached_identity
from api.database import new_uow
from api.database import read_session
from api.routes import Blueprint
from api.schemas.base import page_body
from api.schemas.base import page_bounds
from api.schemas.users import PasswordResetIn
from api.schemas.users import UserChangeIn
from api.schemas.users import UserIn
from api.schemas.users import UserOut
from api.schemas.users import UserPageOut
from api.schemas.users import UserQuery
from api.schemas.users import UserRolesIn
from engine.people.passwords import reset_password
from engine.people.user_admin import create_user
from engine.people.user_admin import set_active
from engine.people.user_admin import set_roles
from engine.people.user_admin import unlock
from engine.queries.users import UserFilter
from engine.queries.users import get_user
from engine.queries.users import list_users

blp = Blueprint(
    "users", __name__, url_prefix="/api/v1/users", description="Người dùng (user accounts)"
)


@blp.route("")
class Users(MethodView):
    @blp.arguments(UserQuery, location="query")
    @blp.response(200, UserPageOut)
    @blp.alt_response(403, description="administrators only")
    def get(self, args: dict[str, Any]) -> Any:
        """List accounts by username, with their roles (administrators)"""
        offset, limit = page_bounds(args)
        where = UserFilter(text=args.get("q"), unit=args.get("unit"), active=args.get("active"))
        with read_session() as session:
            page = list_users(session, current_actor(), where, offset=offset, limit=limit)
        return page_body(page, args)

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
                client=client(),
            )


@blp.route("/<int:user_id>")
class UserItem(MethodView):
    @blp.response(200, UserOut)
    @blp.alt_response(403, description="administrators only")
    @blp.alt_response(404, description="no such user")
    def get(self, user_id: int) -> Any:
        """One account with its roles (administrators)"""
        with read_session() as session:
            return get_user(session, current_actor(), user_id)

    @blp.arguments(UserChangeIn)
    @blp.response(200, UserOut)
    @blp.alt_response(403, description="administrators only")
    @blp.alt_response(404, description="no such user")
    @blp.alt_response(409, description="an administrator cannot disable their own account")
    def patch(self, args: dict[str, Any], user_id: int) -> Any:
        """Disable an account (it can no longer log in; its open tasks go back to the queues)
        or enable it again (administrators)"""
        with new_uow() as uow:
            user = set_active(uow, current_actor(), client(), user_id, active=args["is_active"])
        forget_cached_identity(user_id)
        return user


@blp.route("/<int:user_id>/password")
class UserPassword(MethodView):
    @blp.arguments(PasswordResetIn)
    @blp.response(204)
    @blp.alt_response(403, description="administrators only")
    @blp.alt_response(404, description="no such user")
    def post(self, args: dict[str, Any], user_id: int) -> None:
        """Set a user's password; their tokens and page sessions end (administrators)"""
        with new_uow() as uow:
            new_password = args["new_password"]
            reset_password(uow, current_actor(), client(), user_id, new_password=new_password)
        forget_cached_identity(user_id)


@blp.route("/<int:user_id>/roles")
class UserRoles(MethodView):
    @blp.arguments(UserRolesIn)
    @blp.response(200, UserOut)
    @blp.alt_response(403, description="administrators only")
    @blp.alt_response(404, description="no such user")
    @blp.alt_response(409, description="an administrator cannot take their own administrator role")
    @blp.alt_response(422, description="an unknown role or unit, or no role at all")
    def put(self, args: dict[str, Any], user_id: int) -> Any:
        """Set an account's roles in units; open tasks it held under a lost role go back to
        their queues (administrators)"""
        grants = [(grant["role"], grant["unit"]) for grant in args["roles"]]
        with new_uow() as uow:
            user = set_roles(uow, current_actor(), client(), user_id, grants)
        forget_cached_identity(user_id)
        return user


@blp.route("/<int:user_id>/unlock")
class UserUnlock(MethodView):
    @blp.response(200, UserOut)
    @blp.alt_response(403, description="administrators only")
    @blp.alt_response(404, description="no such user")
    def post(self, user_id: int) -> Any:
        """Forget an account's failed logins so a locked-out user may log in now (administrators)"""
        with new_uow() as uow:
            return unlock(uow, current_actor(), client(), user_id)
