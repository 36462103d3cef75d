"""Which units' dossiers a user may see: the units where they do casework, and every commune of
their province. Designing procedures is not casework: a designer's grant shows no citizen's data."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.errors import Forbidden
from engine.models import Dossier
from engine.models import Unit

NO_CASEWORK = frozenset({"designer", "external_system"})
"""Roles that give no sight of dossiers in their unit (another agency's system only delivers
messages to them)."""


def visible_unit_ids(session: Session, actor: Actor) -> set[int] | None:
    """None means every unit (administrators)."""
    if actor.is_admin:
        return None
    own = {grant.unit_id for grant in actor.grants if grant.role not in NO_CASEWORK}
    children = session.scalars(select(Unit.id).where(Unit.parent_id.in_(own))).all() if own else []
    return own | set(children)


def require_visible(session: Session, actor: Actor, dossier: Dossier) -> None:
    units = visible_unit_ids(session, actor)
    if units is None or {dossier.receiving_unit_id, dossier.competent_unit_id} & units:
        return
    raise Forbidden("this dossier belongs to another unit", dossier_id=dossier.id)
