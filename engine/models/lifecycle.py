"""Tables of the dossier lifecycle: supplement requests and dossiers imported from other portals."""

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
from engine.store.db import JsonType
from engine.store.db import utcnow


class SupplementRequest(Base):
    """One request to the applicant for missing papers; `state` open -> answered | expired |
    closed (the dossier ended another way while it waited)."""

    __tablename__ = "supplement_request"
    __table_args__ = (Index("ix_supplement_request_due", "state", "applicant_due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossier.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(12), default="open")
    reason: Mapped[str] = mapped_column(Text)
    items: Mapped[list[str]] = mapped_column(JsonType)
    """What the applicant must bring or correct."""
    resume_status: Mapped[str] = mapped_column(String(30))
    """The status the dossier goes back to once the applicant answers."""
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    applicant_due_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None]
    paused_days: Mapped[int] = mapped_column(default=0)


class DossierImport(Base):
    """A dossier taken in from another portal; the idempotency key makes a retry harmless."""

    __tablename__ = "dossier_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    source_system: Mapped[str] = mapped_column(String(60))
    external_code: Mapped[str] = mapped_column(String(80))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    submitted_at: Mapped[datetime | None]
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
