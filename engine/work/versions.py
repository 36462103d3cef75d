"""Moving a running dossier onto its procedure's newest published version: how an incident is
fixed when the designer corrected the diagram after the dossier had started."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn import serializer
from engine.bpmn.rebind import missing_specs
from engine.bpmn.versions import compiled_for
from engine.bpmn.versions import spec_key_of
from engine.errors import Conflict
from engine.instance import awaited
from engine.instance import timers
from engine.instance.events import event
from engine.models import Dossier
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.models import Task
from engine.models import WorkflowState
from engine.store.uow import for_update


@dataclass(frozen=True)
class VersionMove:
    from_version: int
    to_version: int


def move_to_current(
    session: Session, dossier: Dossier, *, actor_id: int | None, now: datetime
) -> VersionMove | None:
    """Rebind the dossier's saved instance to the procedure's current version when that one is
    newer, inside the caller's write transaction; None when it already runs the newest.

    Refuses (Conflict) when the new version lost a step the instance still refers to: the saved
    state could not be loaded, and guessing where the dossier stands would be worse."""
    procedure = session.get_one(Procedure, dossier.procedure_id)
    old = session.get_one(ProcedureVersion, dossier.procedure_version_id)
    new = session.get(ProcedureVersion, procedure.current_version_id or 0)
    if new is None or new.number <= old.number:
        return None
    state = session.scalars(
        for_update(select(WorkflowState).where(WorkflowState.dossier_id == dossier.id))
    ).one()
    compiled = compiled_for(session, spec_key_of(new), new.id)
    missing = missing_specs(state.state, compiled)
    if missing:
        names = ", ".join(item.element_id for item in missing)
        raise Conflict(
            f"version {new.number} no longer has the step(s) {names} that dossier "
            f"{dossier.code} still refers to; restore them in the diagram or handle the dossier "
            "by hand",
            missing=[item.element_id for item in missing],
            live=[item.element_id for item in missing if item.live],
        )
    workflow = serializer.load(state.state, compiled)
    state.state = serializer.dump(workflow)
    dossier.procedure_version_id, dossier.spec_key = new.id, spec_key_of(new)
    # what it waits on as the new version names it; none of the old version's waits linger
    awaited.write_awaited(session, dossier.id, awaited.awaited_now(workflow) or [])
    timers.schedule_waiting(session, dossier, workflow, now, rebound=True)
    open_rows = session.scalars(
        select(Task).where(Task.dossier_id == dossier.id, Task.state == "open")
    ).all()
    for row in open_rows:  # the open steps as the new version draws them
        step = compiled.steps.get(row.element_id)
        if step is not None:
            row.name, row.role, row.form = step.name, step.role, step.form
    move = VersionMove(old.number, new.number)
    session.add(
        event(
            dossier.id,
            "version_changed",
            now,
            actor_id=actor_id,
            unit_id=dossier.competent_unit_id,
            detail={"from_version": move.from_version, "to_version": move.to_version},
        )
    )
    return move
