"""Moving a running dossier onto another published version of its procedure: one function for
every move (an incident's retry onto the newest version, a designer's migration of one dossier
or of thousands). It runs inside the caller's write transaction with the dossier locked, so a
move that fails leaves the dossier exactly as it was (principle 2)."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.bpmn import rebind
from engine.bpmn import serializer
from engine.bpmn.compiler import CompiledProcedure
from engine.bpmn.versions import compiled_for
from engine.bpmn.versions import spec_key_of
from engine.errors import Conflict
from engine.instance import awaited
from engine.instance import moved_rows
from engine.instance import timers
from engine.instance.events import event_values
from engine.instance.events import insert_events
from engine.instance.task_rows import step_due_at
from engine.models import Dossier
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.work.move_reasons import Blocked
from engine.work.move_reasons import blocked_reason
from engine.work.move_reasons import obstacle_of


@dataclass(frozen=True)
class VersionMove:
    from_version: int
    to_version: int
    mapping: dict[str, str] = field(default_factory=dict)
    due_changed: list[dict[str, Any]] = field(default_factory=list)
    """Open steps whose due time changed because the target's step limit differs."""


def compiled_version(session: Session, version: ProcedureVersion) -> CompiledProcedure:
    return compiled_for(session, spec_key_of(version), version.id)


def move_to_current(
    session: Session, dossier: Dossier, *, actor_id: int | None, now: datetime
) -> VersionMove | None:
    """Move the dossier to the procedure's current version when that one is newer (an
    incident's retry: the designer fixed the diagram); None when it already runs the newest,
    or has ended (nothing of it runs any more)."""
    if dossier.finished_at is not None:
        return None
    procedure = session.get_one(Procedure, dossier.procedure_id)
    old = session.get_one(ProcedureVersion, dossier.procedure_version_id)
    new = session.get(ProcedureVersion, procedure.current_version_id or 0)
    if new is None or new.number <= old.number:
        return None
    return move(
        session, dossier, new, mapping={}, actor_id=actor_id, now=now, kind="version_changed"
    )


def move(
    session: Session,
    dossier: Dossier,
    target: ProcedureVersion,
    *,
    mapping: Mapping[str, str],
    actor_id: int | None,
    now: datetime,
    kind: str = "migrated",
) -> VersionMove:
    """Rebind the dossier's saved instance to `target`, renaming the tasks of `mapping`; the
    caller holds the dossier's lock and commits. Conflict (nothing written) when the target
    lacks a step the instance needs, or the dossier has ended. `kind`: the event in its
    history (`version_changed` for an incident's retry)."""
    if dossier.finished_at is not None:
        raise Conflict(
            f"dossier {dossier.code} has ended; only a running dossier moves",
            reason="finished",
            text=blocked_reason(Blocked("finished", None), 0),
        )
    old = session.get_one(ProcedureVersion, dossier.procedure_version_id)
    if old.id == target.id:
        raise Conflict(
            f"dossier {dossier.code} already runs version {target.number}",
            reason="same_version",
            text=blocked_reason(Blocked("same_version", None), target.number),
        )
    state = moved_rows.saved_state(session, dossier.id)
    source, compiled = compiled_version(session, old), compiled_version(session, target)
    prepared = rebind.prepare(state, source, compiled, mapping)
    open_rows = moved_rows.open_task_rows(session, dossier.id)
    elements = [row.element_id for row in open_rows]
    obstacle = obstacle_of(elements, source, compiled, mapping) or _first_obstacle(prepared)
    if obstacle is not None:
        raise Conflict(
            f"version {target.number} cannot take dossier {dossier.code}: "
            f"{obstacle.kind} {obstacle.element_id}",
            reason=obstacle.kind,
            element_id=obstacle.element_id,
            missing=[item.element_id for item in prepared.missing],
            live=[item.element_id for item in prepared.missing if item.live],
            text=blocked_reason(obstacle, target.number),
        )
    workflow = rebind.rebind(prepared, compiled)
    dossier.procedure_version_id, dossier.spec_key = target.id, spec_key_of(target)
    moved_rows.save_moved(session, dossier, serializer.dump(workflow))
    # what it waits on as the target names it; none of the old version's waits linger (a
    # dossier that waited on nothing, moved onto a version that has nothing to wait on, has
    # no such rows to read)
    waits = awaited.awaited_now(workflow)
    if waits is not None or prepared.waited:
        awaited.write_awaited(session, dossier.id, waits or [])
    timers.schedule_waiting(session, dossier, workflow, now, rebound=prepared.waited)
    due_changed = _rename_open_rows(session, open_rows, source, compiled, mapping)
    result = VersionMove(old.number, target.number, dict(mapping), due_changed)
    detail = {
        "from_version": result.from_version,
        "to_version": result.to_version,
        "mapping": result.mapping,
        "due_changed": due_changed,
    }
    insert_events(
        session,
        [
            event_values(
                dossier.id,
                kind,
                now,
                actor_id=actor_id,
                unit_id=dossier.competent_unit_id,
                detail=detail,
            )
        ],
    )
    return result


def _first_obstacle(prepared: rebind.Rebinding) -> Blocked | None:
    """What stops the move, the steps the dossier is at first."""
    for item in prepared.missing:
        if item.in_subprocess is not None and item.live:
            return Blocked("moved_into_subprocess", item.element_id, item.in_subprocess)
        return Blocked("missing_open" if item.live else "missing_done", item.element_id)
    return None


def _rename_open_rows(
    session: Session,
    open_rows: Sequence[Any],
    source: CompiledProcedure,
    target: CompiledProcedure,
    mapping: Mapping[str, str],
) -> list[dict[str, Any]]:
    """The open task rows as the target draws them: element, name, role, form; a due time
    counted again from the step's opening where the target's step limit differs. Only rows
    that change are written."""
    changed: list[dict[str, Any]] = []
    for row in open_rows:
        old_step = source.steps.get(row.element_id)
        element_id = mapping.get(row.element_id, row.element_id)
        step = target.steps.get(element_id)
        if step is None:
            continue
        values = {
            "element_id": element_id,
            "name": step.name,
            "role": step.role,
            "form": step.form,
            # the holder may not hold a new role
            "assignee_id": row.assignee_id if step.role == row.role else None,
            "due_at": row.due_at,
        }
        old_limit = old_step.time_limit if old_step is not None else None
        if step.time_limit != old_limit:
            values["due_at"] = step_due_at(step, row.created_at)
            changed.append(
                {"element_id": element_id, "from": _iso(row.due_at), "to": _iso(values["due_at"])}
            )
        if any(getattr(row, key) != value for key, value in values.items()):
            moved_rows.rename_task(session, row.id, values)
    return changed


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
