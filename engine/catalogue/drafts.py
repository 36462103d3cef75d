"""Drafts: a designer's unfinished change to a procedure, saved on the server and published
through the same checks as any upload.

A save names the hash of the draft it started from (`base_hash`); a save over a draft someone
else saved since is refused (Conflict), never merged or overwritten.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.access.actors import require_role_anywhere
from engine.catalogue.procedures import CODE_PATTERN
from engine.catalogue.procedures import ProcedureMetadata
from engine.catalogue.procedures import publish
from engine.catalogue.procedures import validate
from engine.errors import Conflict
from engine.errors import InvalidData
from engine.errors import NotFound
from engine.models import ProcedureDraft
from engine.queries.studio import draft_view
from engine.queries.studio import read_draft
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork
from engine.store.uow import for_update
from engine.views import Checked
from engine.views import DraftView
from engine.views import PublishResult

MAX_FILES = 50
FILE_SUFFIXES = (".bpmn", ".dmn", ".form.json")
READERS = ("designer", "leader")
"""Leaders read drafts and versions (to compare); only designers (and admins) change them."""
STALE = (
    "Người khác đã lưu bản nháp này sau khi bạn mở nó; hãy tải lại để xem thay đổi của họ "
    "(someone saved this draft after you opened it; reload to see their changes)."
)
GONE = (
    "Bản nháp đã được công bố hoặc hủy sau khi bạn mở nó; hãy tải lại "
    "(the draft was published or discarded after you opened it; reload)."
)
REQUIRED = ("name_vi", "name_en", "field", "time_limit")
TYPES: dict[str, tuple[type, ...]] = {
    "code": (str,),
    "name_vi": (str,),
    "name_en": (str,),
    "field": (str,),
    "time_limit": (int,),
    "time_limit_unit": (str,),
    "process_id": (str,),
    "fee": (dict, type(None)),
    "supplement_days": (int,),
    "national_code": (str, type(None)),
    "legal_basis": (list, type(None)),
    "required_documents": (list, type(None)),
    "unconfirmed": (list, type(None)),
}
"""The keys of metadata.json (ProcedureMetadata) and the JSON types each takes."""


def require_reader(actor: Actor) -> None:
    """Versions and drafts are read by designers and leaders (and admins)."""
    require_role_anywhere(actor, *READERS)


def get_draft(session: Session, actor: Actor, code: str) -> DraftView:
    require_reader(actor)
    return read_draft(session, code)


def save_draft(
    uow: UnitOfWork,
    actor: Actor,
    code: str,
    files: dict[str, str],
    metadata: dict[str, Any],
    base_hash: str | None,
) -> DraftView:
    """Create or replace the draft of `code`; `base_hash` is the hash of the draft the designer
    opened (None when there was none)."""
    require_role_anywhere(actor, "designer")
    metadata = _checked(code, files, metadata)
    content_hash = draft_hash(files, metadata)
    uow.begin_write()
    draft = _locked(uow, code)
    _check_base(draft, base_hash)
    if draft is None:
        draft = ProcedureDraft(code=code)
        uow.session.add(draft)
    draft.files, draft.meta, draft.content_hash = dict(files), metadata, content_hash
    draft.saved_by, draft.saved_at = actor.user_id, utcnow()
    try:
        uow.commit()
    except IntegrityError as exc:  # another first save of the same code went in meanwhile
        raise Conflict(STALE, code=code) from exc
    return draft_view(draft, actor.full_name)


def discard_draft(uow: UnitOfWork, actor: Actor, code: str) -> None:
    require_role_anywhere(actor, "designer")
    uow.begin_write()
    draft = _locked(uow, code)
    if draft is None:
        raise NotFound(f"procedure {code!r} has no draft", what="draft", code=code)
    uow.session.delete(draft)
    uow.commit()


def validate_draft(session: Session, actor: Actor, code: str) -> Checked:
    """The draft as saved, checked as a publication would check it; nothing is stored."""
    require_role_anywhere(actor, "designer")
    draft = read_draft(session, code)
    return validate(actor, metadata_of(code, draft.metadata), _encoded(draft.files))


def publish_draft(
    uow: UnitOfWork, actor: Actor, code: str, note: str, base_hash: str | None
) -> PublishResult:
    """Publish the draft as the next version and remove it, in one transaction; refused
    (DiagramInvalid, InvalidData) with nothing published and the draft kept."""
    require_role_anywhere(actor, "designer")
    uow.begin_write()
    draft = _locked(uow, code)
    if draft is None:
        raise NotFound(f"procedure {code!r} has no draft", what="draft", code=code)
    if base_hash is not None and base_hash != draft.content_hash:
        raise Conflict(STALE, code=code)
    meta = metadata_of(code, draft.meta)
    files = _encoded(draft.files)
    uow.session.delete(draft)
    return publish(uow, actor, meta, files, note=note, source="studio")


def draft_hash(files: dict[str, str], metadata: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"files": files, "metadata": metadata}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def metadata_of(code: str, data: dict[str, Any]) -> ProcedureMetadata:
    """A draft's metadata as a publication takes it; what is missing or mistyped is named."""
    errors: dict[str, list[str]] = {}
    for key in REQUIRED:
        if data.get(key) in (None, ""):
            errors[key] = ["Trường này là bắt buộc (required)."]
    for key, value in data.items():
        if key not in TYPES:
            errors[key] = ["Trường không được hỗ trợ (unknown field)."]
        elif value is not None and not _of_type(value, TYPES[key]):
            errors.setdefault(key, ["Kiểu dữ liệu không đúng (wrong type)."])
    if errors:
        raise InvalidData("the draft's metadata is not complete", errors)
    return ProcedureMetadata(**{**{k: v for k, v in data.items() if v is not None}, "code": code})


def _of_type(value: Any, types: tuple[type, ...]) -> bool:
    return isinstance(value, types) and not (isinstance(value, bool) and bool not in types)


def _checked(code: str, files: dict[str, str], metadata: dict[str, Any]) -> dict[str, Any]:
    """The draft's shape (names of files, metadata's code); its content may be unfinished."""
    errors: dict[str, list[str]] = {}
    if not CODE_PATTERN.match(code):
        errors["code"] = ["Mã thủ tục gồm chữ thường, số, gạch dưới (a-z, 0-9, _)."]
    if metadata.get("code") not in (None, code):
        errors["metadata.code"] = [f"Mã thủ tục phải là {code} (must be {code})."]
    if not 1 <= len(files) <= MAX_FILES:
        errors["files"] = [f"Cần từ 1 đến {MAX_FILES} tệp (1 to {MAX_FILES} files)."]
    bad = [name for name in files if not _usable_name(name)]
    if bad:
        errors["files"] = [
            f"Tên tệp không hợp lệ: {name!r} (a name ends with .bpmn, .dmn or .form.json, "
            "without / or a leading dot)."
            for name in bad
        ]
    if errors:
        raise InvalidData("the draft cannot be saved", errors)
    return {**metadata, "code": code}


def _usable_name(name: str) -> bool:
    return (
        0 < len(name) <= 200
        and not name.startswith(".")
        and "/" not in name
        and "\\" not in name
        and name.endswith(FILE_SUFFIXES)
    )


def _locked(uow: UnitOfWork, code: str) -> ProcedureDraft | None:
    statement = for_update(select(ProcedureDraft).where(ProcedureDraft.code == code))
    return uow.session.scalars(statement).one_or_none()


def _check_base(draft: ProcedureDraft | None, base_hash: str | None) -> None:
    if draft is None and base_hash is not None:
        raise Conflict(GONE)
    if draft is not None and draft.content_hash != base_hash:
        raise Conflict(STALE)


def _encoded(files: dict[str, str]) -> dict[str, bytes]:
    return {name: text.encode("utf-8") for name, text in files.items()}
