"""Moving many running dossiers to a version as a background job: the request writes the job and
one item per dossier; a worker (the scheduler in any API process, or `flask migrations run`)
claims the job under a lease and moves each dossier in its own transaction under its row lock,
writing the item's `moved` in that same transaction. A worker killed half-way leaves every
dossier moved or untouched; the next worker takes the job up once the lease runs out and skips
what is done, so running a job again is safe."""

from __future__ import annotations

import logging
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import or_
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

LEASE = timedelta(minutes=2)
"""A job's worker renews its lease after each batch; past it, another worker takes the job."""
BATCH = 200

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


def run_due(new_uow: NewUow, *, now: datetime | None = None) -> int:
    """Run every job that waits (queued, or left by a worker whose lease ran out); how many
    dossiers moved."""
    moved = 0
    while (job_id := _claim(new_uow, now or utcnow())) is not None:
        moved += run(new_uow, job_id)
    return moved


def _claim(new_uow: NewUow, now: datetime) -> int | None:
    with new_uow() as uow:
        uow.begin_write()
        job = uow.session.scalars(
            select(MigrationJob)
            .where(
                or_(
                    MigrationJob.state == "queued",
                    (MigrationJob.state == "running") & (MigrationJob.lease_until < now),
                )
            )
            .order_by(MigrationJob.id)
            .limit(1)
            .with_for_update(key_share=True, skip_locked=True)
        ).one_or_none()
        if job is None:
            return None
        job.state, job.lease_until = "running", now + LEASE
        job.started_at = job.started_at or now
        job_id = job.id
        uow.commit()
        return job_id


def run(new_uow: NewUow, job_id: int) -> int:
    """Move the job's pending dossiers, one transaction each; how many moved."""
    with new_uow() as uow:
        job = uow.session.get_one(MigrationJob, job_id)
        target_id, mapping, actor_id = job.to_version_id, dict(job.mapping), job.requested_by
    moved = 0
    while True:
        with new_uow() as uow:
            items = uow.session.execute(
                select(MigrationItem.id, MigrationItem.dossier_id)
                .where(MigrationItem.job_id == job_id, MigrationItem.state == "pending")
                .order_by(MigrationItem.id)
                .limit(BATCH)
            ).all()
        if not items:
            break
        for item_id, dossier_id in items:
            moved += _move_one(new_uow, item_id, dossier_id, target_id, mapping, actor_id)
        _renew(new_uow, job_id)
    with new_uow() as uow:
        uow.begin_write()
        uow.session.execute(
            update(MigrationJob)
            .where(MigrationJob.id == job_id)
            .values(state="done", finished_at=utcnow(), lease_until=None)
        )
        uow.commit()
    return moved


def _move_one(
    new_uow: NewUow,
    item_id: int,
    dossier_id: int,
    target_id: int,
    mapping: dict[str, str],
    actor_id: int | None,
) -> int:
    """Lock the dossier (before anything of its own, as every command), move it, mark the item
    moved: one commit. A refusal rolls all of it back and marks the item failed, with why."""
    try:
        with new_uow() as uow:
            uow.begin_write()
            session = uow.session
            dossier = session.scalars(
                for_update(select(Dossier).where(Dossier.id == dossier_id))
            ).one_or_none()
            item = session.scalars(
                for_update(select(MigrationItem).where(MigrationItem.id == item_id))
            ).one()
            if item.state != "pending":
                return 0  # another worker did it
            if dossier is None:
                raise NotFound(f"dossier {dossier_id} not found", what="dossier", id=dossier_id)
            target = session.get_one(ProcedureVersion, target_id)
            now = utcnow()
            move(session, dossier, target, mapping=mapping, actor_id=actor_id, now=now)
            item.state, item.done_at = "moved", now
            uow.commit()
            return 1
    except DomainError as exc:
        reason = str(exc.params.get("text") or exc.detail)
    except Exception as exc:  # a broken instance must not stop the other dossiers
        logger.exception("moving dossier %s failed", dossier_id)
        reason = f"{type(exc).__name__}: {exc}"
    with new_uow() as uow:
        uow.begin_write()
        uow.session.execute(
            update(MigrationItem)
            .where(MigrationItem.id == item_id, MigrationItem.state == "pending")
            .values(state="failed", reason=reason, done_at=utcnow())
        )
        uow.commit()
    return 0


def _renew(new_uow: NewUow, job_id: int) -> None:
    with new_uow() as uow:
        uow.begin_write()
        uow.session.execute(
            update(MigrationJob)
            .where(MigrationJob.id == job_id)
            .values(lease_until=utcnow() + LEASE)
        )
        uow.commit()


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
