"""Moving many running dossiers to a version as a background job: the request writes the job and
one item per dossier; workers (the scheduler in every API process, or `flask migrations`) claim
items one at a time (`SKIP LOCKED`, so several share a job) and move each dossier in its own
transaction under its row lock, writing the item's `moved` in that same transaction. A worker
killed half-way leaves every dossier moved or untouched (its open transaction rolls back, the
item is pending again); the next worker skips what is done, so running a job again is safe."""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from engine.access.actors import Actor
from engine.access.actors import require_role_anywhere
from engine.errors import DomainError
from engine.errors import InvalidData
from engine.errors import NotFound
from engine.models import Dossier
from engine.models import MigrationItem
from engine.models import MigrationJob
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork
from engine.store.uow import for_update
from engine.work.move_preview import MOVERS
from engine.work.move_preview import PREVIEWERS
from engine.work.move_preview import preview
from engine.work.move_preview import target_version
from engine.work.versions import move

FORGET_EVERY = 500
logger = logging.getLogger(__name__)
NewUow = Callable[[], UnitOfWork]


@dataclass(frozen=True)
class FailedMove:
    dossier_id: int
    code: str
    reason: str


@dataclass(frozen=True)
class JobView:
    id: int
    procedure_code: str
    to_version: int
    state: str
    total: int
    moved: int
    pending: int
    failed: list[FailedMove]
    mapping: dict[str, str]
    created_at: datetime
    finished_at: datetime | None


def start(
    uow: UnitOfWork,
    actor: Actor,
    code: str,
    *,
    to: int,
    dossier_ids: list[int] | None = None,
    mapping: Mapping[str, str] | None = None,
) -> int:
    """Write a job moving `dossier_ids` (default: every dossier the preview finds movable) to
    version `to`; the job's id. A chosen dossier the preview blocks is refused (422) before
    anything is written."""
    require_role_anywhere(actor, *MOVERS)
    uow.begin_write()
    session = uow.session
    procedure, target = target_version(session, code, to)
    seen = preview(session, actor, code, to=to, mapping=mapping, dossier_ids=dossier_ids)
    if dossier_ids is not None:
        chosen = set(dossier_ids)
        blocked = [item for item in seen.blocked if item.dossier_id in chosen]
        unknown = (
            chosen
            - {item.dossier_id for item in seen.movable}
            - {item.dossier_id for item in blocked}
        )
        errors = [f"{item.code}: {item.reason}" for item in blocked]
        errors += [
            f"Hồ sơ {ident} không phải hồ sơ đang xử lý của thủ tục này trên phiên bản khác "
            f"(dossier {ident} is not a running dossier of this procedure on another version)."
            for ident in sorted(unknown)
        ]
        if errors:
            raise InvalidData("some chosen dossiers cannot move", {"dossier_ids": errors})
    movable = [item.dossier_id for item in seen.movable]
    if not movable:
        raise InvalidData(
            "no dossier to move",
            {"dossier_ids": ["Không có hồ sơ nào có thể chuyển (no dossier can move)."]},
        )
    job = uow.insert(
        MigrationJob,
        {
            "procedure_id": procedure.id,
            "to_version_id": target.id,
            "mapping": dict(mapping or {}),
            "state": "queued",
            "requested_by": actor.user_id,
            "created_at": utcnow(),
            "total": len(movable),
        },
    )
    session.execute(
        MigrationItem.__table__.insert(),
        [{"job_id": job.id, "dossier_id": ident, "state": "pending"} for ident in movable],
    )
    uow.commit()
    return job.id


def run_due(new_uow: NewUow) -> int:
    """Work on every job that has dossiers left (queued, or running: left by a worker that
    died, or being worked by others, whom this worker joins); how many dossiers moved."""
    with new_uow() as uow:
        job_ids = list(
            uow.session.scalars(
                select(MigrationJob.id)
                .where(MigrationJob.state.in_(("queued", "running")))
                .order_by(MigrationJob.id)
            )
        )
    return sum(run(new_uow, job_id) for job_id in job_ids)


def run(new_uow: NewUow, job_id: int) -> int:
    """Move the job's pending dossiers, one transaction each, in one session (the versions stay
    loaded between them); how many moved. Marks the job done when none is left pending."""
    with new_uow() as uow:
        uow.begin_write()
        session = uow.session
        session.execute(
            update(MigrationJob)
            .where(MigrationJob.id == job_id, MigrationJob.state == "queued")
            .values(state="running", started_at=utcnow())
        )
        uow.commit()
        job = session.get_one(MigrationJob, job_id)
        target_id, mapping, actor_id = job.to_version_id, dict(job.mapping), job.requested_by
        uow.commit()  # end the reading transaction; each move opens a write one
        moved = tried = 0
        while (outcome := _move_next(uow, job_id, target_id, mapping, actor_id)) is not None:
            moved, tried = moved + outcome, tried + 1
            if tried % FORGET_EVERY == 0:  # the moved dossiers' rows leave the session
                session.expunge_all()
        uow.begin_write()
        left = session.scalar(select(_PENDING.where(MigrationItem.job_id == job_id).exists()))
        if not left:
            session.execute(
                update(MigrationJob)
                .where(MigrationJob.id == job_id, MigrationJob.state != "done")
                .values(state="done", finished_at=utcnow())
            )
        uow.commit()
    return moved


_PENDING = select(MigrationItem.id).where(MigrationItem.state == "pending")


def _move_next(
    uow: UnitOfWork,
    job_id: int,
    target_id: int,
    mapping: dict[str, str],
    actor_id: int | None,
) -> int | None:
    """Claim the job's next pending dossier no other worker holds, move it, mark its item moved:
    one transaction (the item is locked first: no command touches items, so this order cannot
    deadlock with one). A refusal rolls the move back and marks the item failed, with why.
    None when nothing is left to claim; else 1 if it moved."""
    uow.begin_write()
    session = uow.session
    claimed = session.execute(
        _PENDING.add_columns(MigrationItem.dossier_id)
        .where(MigrationItem.job_id == job_id)
        .order_by(MigrationItem.id)
        .limit(1)
        .with_for_update(key_share=True, skip_locked=True)
    ).first()
    if claimed is None:
        session.rollback()
        return None
    item_id, dossier_id = claimed
    try:
        dossier = session.scalars(
            for_update(select(Dossier).where(Dossier.id == dossier_id))
        ).one_or_none()
        if dossier is None:
            raise NotFound(f"dossier {dossier_id} not found", what="dossier", id=dossier_id)
        now = utcnow()
        target = session.get_one(ProcedureVersion, target_id)  # the session's, once loaded
        move(session, dossier, target, mapping=mapping, actor_id=actor_id, now=now)
        _mark(uow, item_id, "moved", None, now)
        uow.commit()
        return 1
    except DomainError as exc:
        reason = str(exc.params.get("text") or exc.detail)
    except Exception as exc:  # a broken instance must not stop the other dossiers
        logger.exception("moving dossier %s failed", dossier_id)
        reason = f"{type(exc).__name__}: {exc}"
    session.rollback()
    uow.begin_write()
    _mark(uow, item_id, "failed", reason, utcnow())
    uow.commit()
    return 0


def _mark(uow: UnitOfWork, item_id: int, state: str, reason: str | None, now: datetime) -> None:
    uow.defer(_MARK, {"item_id": item_id, "new_state": state, "new_reason": reason, "now": now})


_ITEMS = MigrationItem.__table__
_MARK = (
    _ITEMS.update()
    .where(_ITEMS.c.id == bindparam("item_id"), _ITEMS.c.state == "pending")
    .values(state=bindparam("new_state"), reason=bindparam("new_reason"), done_at=bindparam("now"))
)


def get_job(uow: UnitOfWork, actor: Actor, job_id: int) -> JobView:
    """A job's progress: counts, and each failure with its reason."""
    require_role_anywhere(actor, *PREVIEWERS)
    session = uow.session
    job = session.get(MigrationJob, job_id)
    if job is None:
        raise NotFound(f"migration job {job_id} not found", what="migration_job", id=job_id)
    target = session.get_one(ProcedureVersion, job.to_version_id)
    counts = dict(
        session.execute(
            select(MigrationItem.state, func.count())
            .where(MigrationItem.job_id == job_id)
            .group_by(MigrationItem.state)
        ).all()
    )
    failed = [
        FailedMove(dossier_id, code, reason or "")
        for dossier_id, code, reason in session.execute(
            select(MigrationItem.dossier_id, Dossier.code, MigrationItem.reason)
            .join(Dossier, Dossier.id == MigrationItem.dossier_id)
            .where(MigrationItem.job_id == job_id, MigrationItem.state == "failed")
            .order_by(MigrationItem.id)
        )
    ]
    code = session.get_one(Procedure, job.procedure_id).code
    return JobView(
        job.id,
        code,
        target.number,
        job.state,
        job.total,
        counts.get("moved", 0),
        counts.get("pending", 0),
        failed,
        dict(job.mapping),
        job.created_at,
        job.finished_at,
    )
