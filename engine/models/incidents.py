"""Incidents: a step, timer or start the engine could not run (bad script, bad condition, time
limit), kept with what is needed to run it again once the diagram is fixed."""

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

INCIDENT_KINDS = ("task_completion", "timer", "start", "stalled", "message")
"""`stalled`: the periodic check found a dossier in progress that waits on nothing; `message`:
the dossier's workflow could not take a message from another system (kept to deliver again)."""


class Incident(Base):
    """Open while `resolved_at` is empty; `attempts` counts the failed runs (1 when opened)."""

    __tablename__ = "incident"
    __table_args__ = (
        Index("ix_incident_open", "resolved_at", "unit_id"),
        Index("ix_incident_task", "task_id"),
        Index("ix_incident_timer", "timer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    timer_id: Mapped[int | None] = mapped_column(ForeignKey("timer.id", ondelete="CASCADE"))
    element_id: Mapped[str | None] = mapped_column(String(120))
    step_name: Mapped[str | None] = mapped_column(String(300))
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"))
    procedure_version_id: Mapped[int] = mapped_column(ForeignKey("procedure_version.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    """The competent unit (the receiving unit for a failed start): admins filter by it."""
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    """Who submitted the data; a retry runs again as them."""
    data: Mapped[dict[str, Any]]
    """The submitted form data (or the whole submission for a start), to run it again."""
    message: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    last_failed_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    resolution: Mapped[str | None] = mapped_column(String(40))
    """How it ended: retried, task_closed (done or cancelled meanwhile, or no longer waiting for
    the message), timer_rearmed, moving (a stalled dossier that waits on something again),
    message_delivered (the sender sent the message again and it was taken)."""
