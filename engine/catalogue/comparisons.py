"""Comparing two versions of a procedure (the server's semantic diff and the before/after
table) and retiring a version: the designer's and the leader's side of simplifying a procedure."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.actors import require_role_anywhere
from engine.bpmn.diff import Side
from engine.bpmn.diff import VersionDiff
from engine.bpmn.diff import diff
from engine.bpmn.versions import compiled_for
from engine.bpmn.versions import spec_key_of
from engine.errors import Conflict
from engine.errors import InvalidData
from engine.errors import NotFound
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork

READERS = ("designer", "leader")
CHANGERS = ("designer",)


def _version(session: Session, code: str, number: int) -> tuple[Procedure, ProcedureVersion]:
    procedure = session.scalars(select(Procedure).where(Procedure.code == code)).one_or_none()
    if procedure is None:
        raise NotFound(f"procedure {code!r} not found", what="procedure", id=code)
    version = session.scalars(
        select(ProcedureVersion).where(
            ProcedureVersion.procedure_id == procedure.id, ProcedureVersion.number == number
        )
    ).one_or_none()
    if version is None:
        raise NotFound(
            f"procedure {code!r} has no version {number}", what="procedure_version", id=number
        )
    return procedure, version


def _side(session: Session, version: ProcedureVersion) -> Side:
    compiled = compiled_for(session, spec_key_of(version), version.id)
    files = {name: text.encode() for name, text in version.files.items()}
    return Side(compiled, files, version.time_limit_days, version.time_limit_unit)


def compare(session: Session, actor: Actor, code: str, *, before: int, after: int) -> VersionDiff:
    """Version `before` against version `after`, any two of the procedure."""
    require_role_anywhere(actor, *READERS)
    _, old = _version(session, code, before)
    _, new = _version(session, code, after)
    return diff(_side(session, old), _side(session, new))


def retire(
    uow: UnitOfWork, actor: Actor, code: str, number: int, *, make_current: int | None = None
) -> int:
    """Retire version `number`: it takes no new dossiers; its running ones go on (or are
    moved). The current version is retired only when the designer names another, not retired,
    to become current (`make_current`): a procedure always has one open to new dossiers.
    Returns the current version's number afterwards."""
    require_role_anywhere(actor, *CHANGERS)
    uow.begin_write()
    session = uow.session
    procedure, version = _version(session, code, number)
    session.refresh(procedure, with_for_update={"key_share": True})
    if version.retired_at is not None:
        raise Conflict(f"version {number} is already retired", version=number)
    current = session.get_one(ProcedureVersion, procedure.current_version_id or 0)
    if make_current is not None:
        _, successor = _version(session, code, make_current)
        if successor.retired_at is not None or successor.id == version.id:
            raise InvalidData(
                "the version to make current must be another one, not retired",
                {
                    "make_current": [
                        f"Phiên bản {make_current} không thể thành phiên bản hiện hành "
                        f"(version {make_current} cannot become current)."
                    ]
                },
            )
        procedure.current_version_id, current = successor.id, successor
    if version.id == current.id:
        raise Conflict(
            "Không thể ngừng dùng phiên bản hiện hành khi chưa chọn phiên bản khác thay thế "
            "(the current version is retired only when another becomes current)",
            version=number,
        )
    version.retired_at, version.retired_by = utcnow(), actor.user_id
    uow.commit()
    return current.number
