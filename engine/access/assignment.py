"""The assignment rule, in one place (principle 7 of the architecture): a human step is offered to
the active users who hold its lane's role in the dossier's competent unit; one of them holds it at
a time; its holder may hand it to a colleague of the same role and unit, and a leader of the unit
may hand anyone's. Commands check with `check_workable` and `check_may_hand_on`, pages show
`permissions`, notices and hand-over lists read `candidates`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select
from sqlalchemy import select

from engine.access.actors import Actor
from engine.access.actors import require_role_in
from engine.errors import Conflict
from engine.models import Task
from engine.models import User
from engine.models import UserRole

LEADER_ROLE = "leader"


def step_place(role: str, competent_unit_id: int) -> tuple[str, int]:
    """Where a newly ready step's row is offered: its lane's role, in the competent unit."""
    return role, competent_unit_id


def candidates(role: str, unit_id: int) -> Select[int]:
    """The ids of the active users who may take a step of `role` in `unit_id`."""
    return (
        select(UserRole.user_id)
        .join(User, User.id == UserRole.user_id)
        .where(UserRole.role == role, UserRole.unit_id == unit_id, User.is_active.is_(True))
    )


@dataclass(frozen=True)
class TaskPermissions:
    work: bool
    """Fill in and complete the form (claiming it on the way if nobody holds it)."""
    claim: bool
    release: bool
    delegate: bool
    """Hand one's own task to a colleague."""
    reassign: bool
    """As a leader of the task's unit, hand anyone's task to a colleague."""


def permissions(actor: Actor, task: Task) -> TaskPermissions:
    """What the actor may do with the task now: the same rules the commands check."""
    is_open = task.state == "open"
    in_role = actor.is_admin or actor.holds(task.role, task.unit_id)
    free = task.assignee_id is None
    mine = task.assignee_id == actor.user_id
    leader = actor.is_admin or actor.holds(LEADER_ROLE, task.unit_id)
    return TaskPermissions(
        work=is_open and in_role and (free or mine),
        claim=is_open and in_role and free,
        release=is_open and in_role and mine,
        delegate=is_open and mine,
        reassign=is_open and leader,
    )


def check_workable(task: Task, actor: Actor) -> None:
    """Claim, release or complete: the step's role in its unit (403), an open task that nobody
    else holds (409)."""
    require_role_in(actor, task.role, task.unit_id)
    if task.state != "open":
        raise Conflict("this task is already done", task_id=task.id, state=task.state)
    if task.assignee_id is not None and task.assignee_id != actor.user_id:
        raise Conflict("another user holds this task", task_id=task.id)


def check_may_hand_on(task: Task, actor: Actor) -> None:
    """A leader of the task's unit reassigns; its holder delegates. Someone of the task's role
    who does not hold it (never claimed it, or lost it to a colleague or a reassignment a
    moment ago) is refused by the task's state, 409, not by their rights: claiming it first
    would let them. Anyone else lacks the right: 403."""
    if task.assignee_id is not None and task.assignee_id == actor.user_id:
        return
    if actor.is_admin or actor.holds(LEADER_ROLE, task.unit_id):
        return
    require_role_in(actor, task.role, task.unit_id)
    raise Conflict(
        "only the task's holder or a leader of its unit may hand it on; you do not hold it",
        task_id=task.id,
    )
