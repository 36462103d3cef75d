"""Documents attached to a dossier: checked by content (PDF, JPEG, PNG) and size, stored once per
content under `<folder>/<dossier_id>/<sha256>`, and handed out only to who may see the dossier."""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from engine.access.actors import Actor
from engine.errors import Conflict
from engine.errors import InvalidData
from engine.instance.events import event
from engine.models import Attachment
from engine.queries.attachments import AttachmentView
from engine.queries.attachments import attachment_views
from engine.queries.attachments import visible_dossier
from engine.rules.status import STATUSES
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork

SIGNATURES: dict[str, tuple[bytes, str]] = {
    "application/pdf": (b"%PDF-", ".pdf"),
    "image/jpeg": (b"\xff\xd8\xff", ".jpg"),
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png"),
}
"""Accepted types, recognised by their first bytes (the browser's claimed type is ignored)."""
MAX_FILES = 20
MAX_LABEL = 200


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes
    label: str = ""


def sniff(content: bytes) -> str | None:
    return next(
        (kind for kind, (magic, _) in SIGNATURES.items() if content.startswith(magic)), None
    )


def check_uploads(uploads: list[Upload], *, max_bytes: int, field: str = "files") -> None:
    """Refuse the whole batch when one file is empty, too large or of a refused type."""
    if len(uploads) > MAX_FILES:
        raise InvalidData("too many files", {field: [f"Tối đa {MAX_FILES} tệp một lần."]})
    problems = []
    for upload in uploads:
        name = safe_filename(upload.filename)
        if not upload.content:
            problems.append(f"{name}: tệp rỗng (empty file).")
        elif len(upload.content) > max_bytes:
            limit = max_bytes / (1024 * 1024)
            problems.append(f"{name}: vượt quá {limit:g} MB (file too large).")
        elif sniff(upload.content) is None:
            problems.append(f"{name}: chỉ nhận PDF, JPEG, PNG (only PDF, JPEG, PNG).")
        if len(upload.label) > MAX_LABEL:
            problems.append(f"{name}: tên giấy tờ tối đa {MAX_LABEL} ký tự.")
    if problems:
        raise InvalidData("a file was refused", {field: problems})


def safe_filename(name: str) -> str:
    """The last path part, without control characters, at most 255 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(
        c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C"
    )
    base = base.strip().lstrip(".")
    return base[-255:] or "tai-lieu"


def attach(
    uow: UnitOfWork,
    actor: Actor,
    dossier_id: int,
    *,
    uploads: list[Upload],
    folder: Path,
    max_bytes: int,
) -> list[AttachmentView]:
    """Store the files and their rows; the event log records what was attached, by whom."""
    if not uploads:
        raise InvalidData("no file", {"files": ["Chọn ít nhất một tệp (choose a file)."]})
    check_uploads(uploads, max_bytes=max_bytes)
    uow.begin_write()
    session = uow.session
    dossier = visible_dossier(session, actor, dossier_id)
    if STATUSES[dossier.status].final:
        raise Conflict("the dossier is closed", dossier_id=dossier_id, status=dossier.status)
    now = utcnow()
    rows = []
    for upload in uploads:
        digest = hashlib.sha256(upload.content).hexdigest()
        _write_once(folder / str(dossier.id), digest, upload.content)
        row = Attachment(
            dossier_id=dossier.id,
            label=upload.label.strip() or safe_filename(upload.filename),
            filename=safe_filename(upload.filename),
            content_type=sniff(upload.content) or "application/octet-stream",
            size=len(upload.content),
            sha256=digest,
            uploaded_by=actor.user_id,
            uploaded_at=now,
        )
        session.add(row)
        rows.append(row)
    session.add(
        event(
            dossier.id,
            "attachments_added",
            now,
            actor_id=actor.user_id,
            unit_id=dossier.competent_unit_id,
            detail={"files": [{"label": r.label, "filename": r.filename} for r in rows]},
        )
    )
    session.flush()
    views = attachment_views(session, rows)
    uow.commit()
    return views


def _write_once(directory: Path, digest: str, content: bytes) -> None:
    """Content-addressed: the same bytes are written once; a partial write never shows."""
    target = directory / digest
    if target.exists():
        return
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
