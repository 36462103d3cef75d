"""Drafts of the designer studio: work in progress on a procedure, never run by any dossier."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from engine.store.db import Base
from engine.store.db import utcnow


class ProcedureDraft(Base):
    """One draft per procedure code, also for a procedure that has no version yet; saving it
    replaces it only when the saver had read its latest content (content_hash)."""

    __tablename__ = "procedure_draft"
    __table_args__ = (UniqueConstraint("code", name="uq_procedure_draft_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60))
    files: Mapped[dict[str, Any]]
    """File name -> text: the .bpmn, .dmn and .form.json files."""
    meta: Mapped[dict[str, Any]] = mapped_column("metadata")
    """As metadata.json of a procedure folder, possibly unfinished."""
    content_hash: Mapped[str] = mapped_column(String(64))
    saved_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
