"""Handing many open tasks on at once when the organisation changes: a specialist leaves (one
user's tasks to a colleague) or communes merge (one unit's running dossiers and open tasks to
another). Each task goes through the same rules as one reassignment (engine.work.tasks), each
dossier in its own transaction under its lock; a dry run answers what would happen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from engine.access.actors import Actor
from engine.access.actors import require_role_anywhere
from engine.access.assignment import LEADER_ROLE
from engine.access.assignment import candidates
from engine.access.assignment import check_may_hand_on
from engine.access.units import unit_by_code
from engine.errors import Conflict
from engine.errors import DomainError
from engine.errors import Forbidden
from engine.errors import InvalidData
from engine.instance.events import event
from engine.models import Dossier
from engine.models import Task
from engine.models import User
from engine.models import UserRole
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork
from engine.store.uow import for_update
from engine.work import tasks

NewUow = Callable[[], UnitOfWork]
MAX_TASKS = 5000


@dataclass(frozen=True)
class HandedTask:
    task_id: int
    dossier_id: int
    dossier_code: str
    element_id: str
    name: str
    done: bool
    reason: str | None


@dataclass(frozen=True)
class BulkReassignment:
    dry_run: bool
    tasks: list[HandedTask]

    @property
    def moved(self) -> int:
        return sum(1 for item in self.tasks if item.done)


def reassign_bulk(
    new_uow: NewUow,
    actor: Actor,
    *,
    from_user: str | None = None,
    to_user: str | None = None,
    from_unit: str | None = None,
    to_unit: str | None = None,
    dry_run: bool = True,
) -> BulkReassignment:
    """One user's open tasks to another user, or one unit's to another unit (and, with
    `to_user`, to that user there). Leaders (and admins) hand work on."""
    require_role_anywhere(actor, LEADER_ROLE)
    if (from_user is None) == (from_unit is None):
        raise InvalidData("name one source", {"from": ["Chọn một nguồn: người hoặc đơn vị."]})
    if from_user is not None and to_user is None:
        raise InvalidData("name the colleague", {"to_user": ["Chọn người nhận (who receives)."]})
    if from_unit is not None and to_unit is None:
        raise InvalidData("name the unit", {"to_unit": ["Chọn đơn vị nhận (which unit)."]})
    with new_uow() as uow:
        rows = _open_tasks(uow, from_user, from_unit)
        if from_unit is not None and to_unit is not None:
            _check_unit_move(uow, actor, from_unit, to_unit)
    handed = []
    for task_id, dossier_id, code, element_id, name in rows:
        try:
            with new_uow() as uow:
                if from_unit is not None and to_unit is not None:
                    _move_to_unit(uow, actor, task_id, to_unit, to_user, dry_run=dry_run)
                elif dry_run:
                    _check_hand_on(uow, actor, task_id, to_user or "")
                else:
                    tasks.reassign(uow, actor, task_id, assignee=to_user or "", note="bulk")
            handed.append(HandedTask(task_id, dossier_id, code, element_id, name, True, None))
        except DomainError as exc:
            reason = "; ".join(m for ms in getattr(exc, "errors", {}).values() for m in ms)
            handed.append(
                HandedTask(task_id, dossier_id, code, element_id, name, False, reason or exc.detail)
            )
    return BulkReassignment(dry_run, handed)


def _open_tasks(
    uow: UnitOfWork, from_user: str | None, from_unit: str | None
) -> list[tuple[int, int, str, str, str]]:
    query = (
        select(Task.id, Task.dossier_id, Dossier.code, Task.element_id, Task.name)
        .join(Dossier, Dossier.id == Task.dossier_id)
        .where(Task.state == "open")
        .order_by(Task.id)
        .limit(MAX_TASKS)
    )
    if from_user is not None:
        user = uow.session.scalars(select(User).where(User.username == from_user)).one_or_none()
        if user is None:
            raise InvalidData(
                f"no user {from_user!r}",
                {"from_user": [f"Không có người dùng “{from_user}” (no such user)."]},
            )
        query = query.where(Task.assignee_id == user.id)
    else:
        unit = unit_by_code(uow.session, from_unit or "", "from_unit")
        query = query.where(Task.unit_id == unit.id)
    return [tuple(row) for row in uow.session.execute(query)]  # type: ignore[misc]


def _check_hand_on(uow: UnitOfWork, actor: Actor, task_id: int, to_user: str) -> None:
    task = uow.session.get_one(Task, task_id)
    check_may_hand_on(task, actor)
    tasks.colleague(uow.session, to_user, task)


def _check_unit_move(uow: UnitOfWork, actor: Actor, from_unit: str, to_unit: str) -> None:
    """Moving a unit's work is for an admin, or a leader of both units."""
    source = unit_by_code(uow.session, from_unit, "from_unit")
    target = unit_by_code(uow.session, to_unit, "to_unit")
    if actor.is_admin or (
        actor.holds(LEADER_ROLE, source.id) and actor.holds(LEADER_ROLE, target.id)
    ):
        return
    raise Forbidden("moving a unit's work needs a leader of both units", role=LEADER_ROLE)


def _move_to_unit(
    uow: UnitOfWork,
    actor: Actor,
    task_id: int,
    to_unit: str,
    to_user: str | None,
    *,
    dry_run: bool,
) -> None:
    """The task's dossier becomes the unit's (its next steps open there), the task too; its
    holder keeps it only if they hold its role in the new unit."""
    uow.begin_write()
    session = uow.session
    target = unit_by_code(session, to_unit, "to_unit")
    dossier_id = session.scalar(select(Task.dossier_id).where(Task.id == task_id))
    dossier = session.scalars(for_update(select(Dossier).where(Dossier.id == dossier_id))).one()
    task = session.scalars(for_update(select(Task).where(Task.id == task_id))).one()
    if task.state != "open":
        raise Conflict("this task is already done", task_id=task.id)
    if session.scalar(candidates(task.role, target.id).limit(1)) is None:
        raise InvalidData(
            "nobody holds the step's role in the new unit",
            {"to_unit": [f"Không ai giữ vai trò “{task.role}” ở {to_unit} (nobody holds it)."]},
        )
    previous_unit = task.unit_id
    task.unit_id = target.id
    if (
        task.assignee_id is not None
        and session.scalar(
            candidates(task.role, target.id).where(UserRole.user_id == task.assignee_id)
        )
        is None
    ):
        task.assignee_id = None
    if to_user is not None:
        task.assignee_id = tasks.colleague(session, to_user, task).id
    dossier.competent_unit_id = target.id
    session.add(
        event(
            dossier.id,
            "task_reassigned",
            utcnow(),
            actor_id=actor.user_id,
            unit_id=previous_unit,
            task=task,
            detail={"from_unit": previous_unit, "to_unit": to_unit, "to": to_user, "note": "bulk"},
        )
    )
    if not dry_run:
        uow.commit()
