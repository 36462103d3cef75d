"""Who is acting, and the authorization rules that depend only on their roles and units."""

from __future__ import annotations

from dataclasses import dataclass

from engine.errors import Forbidden


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: int


@dataclass(frozen=True)
class Actor:
    user_id: int
    username: str
    full_name: str
    grants: frozenset[Grant]

    def holds(self, role: str, unit_id: int) -> bool:
        return Grant(role, unit_id) in self.grants

    def holds_anywhere(self, role: str) -> bool:
        return any(grant.role == role for grant in self.grants)

    def unit_ids(self) -> set[int]:
        return {grant.unit_id for grant in self.grants}

    def units_with(self, role: str) -> list[int]:
        return sorted(grant.unit_id for grant in self.grants if grant.role == role)

    @property
    def is_admin(self) -> bool:
        return self.holds_anywhere("admin")


def require_role_anywhere(actor: Actor, *roles: str) -> None:
    """Refuse unless the actor holds one of `roles` in some unit (admins always pass)."""
    if actor.is_admin or any(actor.holds_anywhere(role) for role in roles):
        return
    raise Forbidden(f"this action needs one of the roles: {', '.join(roles)}", roles=list(roles))


def require_role_in(actor: Actor, role: str, unit_id: int) -> None:
    if actor.is_admin or actor.holds(role, unit_id):
        return
    raise Forbidden(f"this action needs the role '{role}' in the task's unit", role=role)
