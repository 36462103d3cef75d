"""Turn task rows into TaskViews with names and form schemas, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Dossier
from engine.models import Task
from engine.procedures import compiled_for
from engine.queries.refs import unit_refs
from engine.queries.refs import user_refs
from engine.task_rows import form_schema
from engine.views import TaskView
from engine.views import UnitRef


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
        compiled = compiled_for(session, dossier.spec_key, dossier.procedure_version_id)
        views.append(
            TaskView(
                id=row.id,
                dossier_id=row.dossier_id,
                dossier_code=dossier.code,
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
                applicant_name=(dossier.applicant or {}).get("full_name"),
            )
        )
    return views
