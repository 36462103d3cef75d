"""The BPMN diagram a task runs in, with the steps done so far, for the viewer on the task page."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.visibility import require_visible
from engine.bpmn.compiler import BPMN_SUFFIX
from engine.errors import NotFound
from engine.models import Dossier
from engine.models import ProcedureVersion
from engine.models import Task


@dataclass(frozen=True)
class DiagramView:
    bpmn_xml: str
    element_id: str
    completed_elements: list[str]
    open_elements: list[str]
    """The dossier's steps open now: the current ones on the diagram (a done task is not)."""


def task_diagram(session: Session, actor: Actor, task_id: int) -> DiagramView:
    """The XML of the version the dossier runs (not the procedure's current one)."""
    row = session.execute(
        select(Task, Dossier).join(Dossier, Dossier.id == Task.dossier_id).where(Task.id == task_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"task {task_id} not found", what="task", id=task_id)
    task, dossier = row
    require_visible(session, actor, dossier)
    files = session.scalar(
        select(ProcedureVersion.files).where(ProcedureVersion.id == dossier.procedure_version_id)
    )
    diagrams = [text for name, text in sorted((files or {}).items()) if name.endswith(BPMN_SUFFIX)]
    marker = f'id="{task.element_id}"'
    xml = next((text for text in diagrams if marker in text), diagrams[0] if diagrams else "")
    states = session.execute(
        select(Task.element_id, Task.state)
        .where(Task.dossier_id == dossier.id, Task.state.in_(("completed", "open")))
        .distinct()
    ).all()
    done = sorted({element for element, state in states if state == "completed"})
    open_now = sorted({element for element, state in states if state == "open"})
    return DiagramView(xml, task.element_id, done, open_now)
