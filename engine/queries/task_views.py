"""Turn task rows into TaskViews with names and form schemas, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Dossier
from engine.models import ProcedureVersion
from engine.models import Task
from engine.procedures import compiled_for
from engine.queries.refs import unit_refs
from engine.queries.refs import user_refs
from engine.task_rows import form_schema
from engine.views import TaskView


def task_views(session: Session, rows: Sequence[Task]) -> list[TaskView]:
    if not rows:
        return []
    dossier_rows = session.execute(
        select(Dossier.id, Dossier.code, Dossier.procedure_version_id).where(
            Dossier.id.in_({r.dossier_id for r in rows})
        )
    ).all()
    dossiers = {row.id: row.code for row in dossier_rows}
    version_of = {row.id: row.procedure_version_id for row in dossier_rows}
    versions = {
        v.id: v
        for v in session.scalars(
            select(ProcedureVersion).where(ProcedureVersion.id.in_(set(version_of.values())))
        )
    }
    units = unit_refs(session, (r.unit_id for r in rows))
    users = user_refs(session, (r.assignee_id for r in rows))
    views = []
    for row in rows:
        compiled = compiled_for(versions[version_of[row.dossier_id]])
        views.append(
            TaskView(
                id=row.id,
                dossier_id=row.dossier_id,
                dossier_code=dossiers[row.dossier_id],
                element_id=row.element_id,
                name=row.name,
                role=row.role,
                unit=units[row.unit_id],
                assignee=users.get(row.assignee_id) if row.assignee_id else None,
                state=row.state,
                due_at=row.due_at,
                created_at=row.created_at,
                completed_at=row.completed_at,
                form_name=row.form,
                form=form_schema(compiled, row.form),
            )
        )
    return views
