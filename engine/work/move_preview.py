"""Which running dossiers of a procedure can move to a version, and why the others cannot: read
from the plain tables (open task rows, waiting timers, awaited events), never a workflow, so a
preview of ten thousand dossiers answers at once. The move itself checks the saved instance
again (engine.work.versions) and names what this reading could not see."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.actors import require_role_anywhere
from engine.bpmn.compiler import CompiledProcedure
from engine.errors import InvalidData
from engine.errors import NotFound
from engine.models import AwaitedEvent
from engine.models import Dossier
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.models import Task
from engine.models import Timer
from engine.rules.status import STATUSES
from engine.work.move_reasons import blocked_reason
from engine.work.move_reasons import obstacle_of
from engine.work.versions import compiled_version

PREVIEWERS = ("designer", "leader")
MOVERS = ("designer",)
OPEN_STATUSES = sorted(slug for slug, status in STATUSES.items() if not status.final)


@dataclass(frozen=True)
class MovableDossier:
    dossier_id: int
    code: str
    from_version: int
    tasks: list[str]
    """The element ids it is at (open steps, waits), as the target names them."""


@dataclass(frozen=True)
class BlockedDossier:
    dossier_id: int
    code: str
    from_version: int
    reason: str
    reason_code: str
    element_id: str | None


@dataclass(frozen=True)
class TargetStep:
    element_id: str
    name: str


@dataclass(frozen=True)
class MovePreview:
    to_version: int
    movable: list[MovableDossier]
    blocked: list[BlockedDossier]
    target_steps: list[TargetStep]
    """The target's human steps: what a removed step may be mapped to."""


def target_version(session: Session, code: str, number: int) -> tuple[Procedure, ProcedureVersion]:
    procedure = session.scalars(select(Procedure).where(Procedure.code == code)).one_or_none()
    if procedure is None:
        raise NotFound(f"procedure {code} not found", what="procedure", id=code)
    version = session.scalars(
        select(ProcedureVersion).where(
            ProcedureVersion.procedure_id == procedure.id, ProcedureVersion.number == number
        )
    ).one_or_none()
    if version is None:
        raise NotFound(f"procedure {code} has no version {number}", what="version", id=number)
    return procedure, version


def preview(
    session: Session,
    actor: Actor,
    code: str,
    *,
    to: int,
    from_version: int | None = None,
    mapping: Mapping[str, str] | None = None,
    dossier_ids: list[int] | None = None,
) -> MovePreview:
    """Every running dossier of the other versions (or of `from_version`), sorted into those
    that can move to version `to` and those that cannot, with the reason."""
    require_role_anywhere(actor, *PREVIEWERS)
    procedure, target = target_version(session, code, to)
    compiled = compiled_version(session, target)
    mapping = dict(mapping or {})
    check_mapping(mapping, compiled)
    query = (
        select(Dossier.id, Dossier.code, ProcedureVersion.number, ProcedureVersion.id)
        .join(ProcedureVersion, ProcedureVersion.id == Dossier.procedure_version_id)
        .where(
            Dossier.procedure_id == procedure.id,
            Dossier.procedure_version_id != target.id,
            Dossier.status.in_(OPEN_STATUSES),
            Dossier.finished_at.is_(None),
        )
        .order_by(Dossier.id)
    )
    if from_version is not None:
        query = query.where(ProcedureVersion.number == from_version)
    if dossier_ids is not None:
        query = query.where(Dossier.id.in_(dossier_ids))
    dossiers = session.execute(query).all()
    at = _where_they_are(session, [row[0] for row in dossiers])
    sources: dict[int, CompiledProcedure] = {}
    movable, blocked = [], []
    for dossier_id, dossier_code, number, version_id in dossiers:
        if version_id not in sources:
            sources[version_id] = compiled_version(
                session, session.get_one(ProcedureVersion, version_id)
            )
        elements = [mapping.get(item, item) for item in at.get(dossier_id, [])]
        obstacle = obstacle_of(at.get(dossier_id, []), sources[version_id], compiled, mapping)
        if obstacle is None:
            movable.append(MovableDossier(dossier_id, dossier_code, number, elements))
        else:
            blocked.append(
                BlockedDossier(
                    dossier_id,
                    dossier_code,
                    number,
                    blocked_reason(obstacle, to),
                    obstacle.kind,
                    obstacle.element_id,
                )
            )
    steps = [TargetStep(step.element_id, step.name) for step in compiled.steps.values()]
    return MovePreview(to, movable, blocked, steps)


def _where_they_are(session: Session, dossier_ids: list[int]) -> dict[int, list[str]]:
    """dossier id -> the elements it is at: open steps, waiting timers, awaited events."""
    found: dict[int, list[str]] = {}
    for start in range(0, len(dossier_ids), 1000):
        chunk = dossier_ids[start : start + 1000]
        queries: list[Any] = [
            select(Task.dossier_id, Task.element_id).where(
                Task.dossier_id.in_(chunk), Task.state == "open"
            ),
            select(Timer.dossier_id, Timer.element_id).where(
                Timer.dossier_id.in_(chunk), Timer.state == "waiting"
            ),
            select(AwaitedEvent.dossier_id, AwaitedEvent.element_id).where(
                AwaitedEvent.dossier_id.in_(chunk)
            ),
        ]
        for query in queries:
            for dossier_id, element_id in session.execute(query):
                elements = found.setdefault(dossier_id, [])
                if element_id not in elements:
                    elements.append(element_id)
    return found


def check_mapping(mapping: Mapping[str, str], target: CompiledProcedure) -> None:
    """Each mapping names an element of the target (422 otherwise, naming the wrong ones)."""
    known = set(target.spec.task_specs)
    for spec in target.subprocess_specs.values():
        known |= set(spec.task_specs)
    wrong = sorted(old for old, new in mapping.items() if new not in known)
    if wrong:
        raise InvalidData(
            "the mapping names elements the target version does not have",
            {
                "mapping": [
                    f"“{mapping[old]}” (cho “{old}”) không có trong phiên bản đích "
                    f"({mapping[old]} is not an element of the target version)."
                    for old in wrong
                ]
            },
        )
