"""Turn task rows into TaskViews with names and form schemas, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row
from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.compiler import CompiledProcedure
from engine.bpmn.versions import compiled_for
from engine.instance.task_rows import form_schema
from engine.models import Dossier
from engine.models import Task
from engine.models import Unit
from engine.models import User
from engine.queries.refs import unit_refs
from engine.queries.refs import user_refs
from engine.views import TaskView
from engine.views import UnitRef
from engine.views import UserRef


def task_views(
    session: Session,
    rows: Sequence[Task],
    *,
    dossiers: Mapping[int, Dossier] | None = None,
    units: Mapping[int, UnitRef] | None = None,
) -> list[TaskView]:
    """`dossiers` and `units` may hand in what the caller already holds, saving their queries."""
    if not rows:
        return []
    known = dict(dossiers or {})
    missing = {r.dossier_id for r in rows} - known.keys()
    if missing:
        query = select(Dossier).where(Dossier.id.in_(missing))
        known.update((d.id, d) for d in session.scalars(query))
    units = dict(units or {})
    units.update(unit_refs(session, {r.unit_id for r in rows} - units.keys()))
    users = user_refs(session, (r.assignee_id for r in rows))
    views = []
    for row in rows:
        dossier = known[row.dossier_id]
        views.append(
            _view(
                row,
                compiled_for(session, dossier.spec_key, dossier.procedure_version_id),
                dossier_code=dossier.code,
                unit=units[row.unit_id],
                assignee=users.get(row.assignee_id) if row.assignee_id else None,
                applicant_name=(dossier.applicant or {}).get("full_name"),
            )
        )
    return views


def select_views() -> Select[*tuple[Any, ...]]:
    """The columns a listed TaskView shows, joined in one select: lists need no full Dossier rows
    (with their JSON) nor the separate unit and user queries of `task_views`."""
    return (
        select(
            Task.id,
            Task.dossier_id,
            Task.element_id,
            Task.name,
            Task.role,
            Task.state,
            Task.due_at,
            Task.created_at,
            Task.completed_at,
            Task.form,
            Task.assignee_id,
            Task.item,
            Dossier.code.label("dossier_code"),
            Dossier.spec_key,
            Dossier.procedure_version_id,
            Dossier.applicant["full_name"].as_string().label("applicant_name"),
            Unit.code.label("unit_code"),
            Unit.name.label("unit_name"),
            User.username.label("assignee_username"),
            User.full_name.label("assignee_name"),
        )
        .join(Dossier, Dossier.id == Task.dossier_id)
        .join(Unit, Unit.id == Task.unit_id)
        .outerjoin(User, User.id == Task.assignee_id)
    )


def views_from_rows(session: Session, rows: Sequence[Row[*tuple[Any, ...]]]) -> list[TaskView]:
    """TaskViews from rows of `select_views()`, in their order."""
    views = []
    for row in rows:
        assignee = None
        if row.assignee_id is not None:
            assignee = UserRef(row.assignee_id, row.assignee_username, row.assignee_name)
        views.append(
            _view(
                row,
                compiled_for(session, row.spec_key, row.procedure_version_id),
                dossier_code=row.dossier_code,
                unit=UnitRef(row.unit_code, row.unit_name),
                assignee=assignee,
                applicant_name=row.applicant_name,
            )
        )
    return views


def _view(
    row: Task | Row[*tuple[Any, ...]],
    compiled: CompiledProcedure,
    *,
    dossier_code: str,
    unit: UnitRef,
    assignee: UserRef | None,
    applicant_name: str | None,
) -> TaskView:
    """`row`: a Task, or a row of `select_views()`; both carry the task's own columns."""
    return TaskView(
        id=row.id,
        dossier_id=row.dossier_id,
        dossier_code=dossier_code,
        element_id=row.element_id,
        name=row.name,
        role=row.role,
        unit=unit,
        assignee=assignee,
        state=row.state,
        due_at=row.due_at,
        created_at=row.created_at,
        completed_at=row.completed_at,
        form_name=row.form,
        form=form_schema(compiled, row.form),
        applicant_name=applicant_name,
        item=row.item,
    )
