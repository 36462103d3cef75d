"""Reading a dossier's documents: the list, and one file's path for a download, each only for
someone who may see the dossier."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.visibility import require_visible
from engine.errors import NotFound
from engine.models import Attachment
from engine.models import Dossier
from engine.queries.refs import user_refs
from engine.views import UserRef


@dataclass(frozen=True)
class AttachmentView:
    id: int
    dossier_id: int
    label: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: UserRef | None
    uploaded_at: datetime


def list_attachments(session: Session, actor: Actor, dossier_id: int) -> list[AttachmentView]:
    visible_dossier(session, actor, dossier_id)
    rows = session.scalars(
        select(Attachment).where(Attachment.dossier_id == dossier_id).order_by(Attachment.id)
    ).all()
    return attachment_views(session, rows)


def open_attachment(
    session: Session, actor: Actor, attachment_id: int, *, folder: Path
) -> tuple[AttachmentView, Path]:
    """The attachment and the path of its bytes, for someone who may see its dossier."""
    row = session.get(Attachment, attachment_id)
    if row is None:
        raise NotFound(f"attachment {attachment_id} not found", what="attachment", id=attachment_id)
    visible_dossier(session, actor, row.dossier_id)
    path = folder / str(row.dossier_id) / row.sha256
    if not path.is_file():
        raise NotFound("the file is missing from storage", what="attachment", id=attachment_id)
    return attachment_views(session, [row])[0], path


def visible_dossier(session: Session, actor: Actor, dossier_id: int) -> Dossier:
    dossier = session.get(Dossier, dossier_id)
    if dossier is None:
        raise NotFound(f"dossier {dossier_id} not found", what="dossier", id=dossier_id)
    require_visible(session, actor, dossier)
    return dossier


def attachment_views(session: Session, rows: Sequence[Attachment]) -> list[AttachmentView]:
    users = user_refs(session, (r.uploaded_by for r in rows))
    return [
        AttachmentView(
            id=r.id,
            dossier_id=r.dossier_id,
            label=r.label,
            filename=r.filename,
            content_type=r.content_type,
            size=r.size,
            sha256=r.sha256,
            uploaded_by=users.get(r.uploaded_by) if r.uploaded_by else None,
            uploaded_at=r.uploaded_at,
        )
        for r in rows
    ]
