"""Version moves in bulk (migration 0017_version_moves): a job per request, one item per dossier,
so a job that stopped half-way (a killed worker) is taken up again where it stood."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from engine.store.db import Base
from engine.store.db import utcnow

JOB_STATES = ("queued", "running", "done")
ITEM_STATES = ("pending", "moved", "failed")


class MigrationJob(Base):
    """Moving a selection of a procedure's running dossiers onto one version: queued, running
    (some worker began), done (no item left pending)."""

    __tablename__ = "migration_job"
    __table_args__ = (Index("ix_migration_job_state", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"))
    to_version_id: Mapped[int] = mapped_column(ForeignKey("procedure_version.id"))
    mapping: Mapped[dict[str, Any]]
    """Old element id -> new element id, as the designer gave it."""
    state: Mapped[str] = mapped_column(String(10), default="queued")
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    total: Mapped[int] = mapped_column(default=0)


class MigrationItem(Base):
    """One dossier of a job: `moved` is written in the transaction that moves it."""

    __tablename__ = "migration_item"
    __table_args__ = (Index("ix_migration_item_job", "job_id", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("migration_job.id", ondelete="CASCADE"))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    reason: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None]
