"""What the designer studio reads: each procedure's versions with their publishers, notes and open
dossiers, its draft, and the catalogue as a searchable list (procedures with only a draft too)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.models import Dossier
from engine.models import Procedure
from engine.models import ProcedureDraft
from engine.models import ProcedureVersion
from engine.models import User
from engine.rules.folding import fold
from engine.rules.status import STATUSES
from engine.views import DraftView
from engine.views import Page
from engine.views import VersionSummary

FINAL_STATUSES = sorted(slug for slug, status in STATUSES.items() if status.final)


@dataclass(frozen=True)
class StudioProcedure:
    """A line of the studio's procedure list: names from the current version, else the draft."""

    code: str
    name_vi: str
    name_en: str
    field: str
    current_version: int | None
    versions: list[VersionSummary]
    """The draft first when there is one, then the versions, newest first."""


def read_draft(session: Session, code: str) -> DraftView:
    row = session.execute(
        select(ProcedureDraft, User.full_name)
        .outerjoin(User, User.id == ProcedureDraft.saved_by)
        .where(ProcedureDraft.code == code)
    ).one_or_none()
    if row is None:
        raise NotFound(f"procedure {code!r} has no draft", what="draft", code=code)
    draft, saved_by = row
    return draft_view(draft, saved_by)


def draft_view(draft: ProcedureDraft, saved_by: str | None) -> DraftView:
    return DraftView(
        code=draft.code,
        files=dict(draft.files),
        metadata=dict(draft.meta),
        hash=draft.content_hash,
        saved_by=saved_by,
        saved_at=draft.saved_at,
    )


def version_list(session: Session, code: str) -> list[VersionSummary]:
    """The draft (if any), then every version, newest first; NotFound when there is neither."""
    found = _histories(session, [code])
    if code not in found:
        raise NotFound(f"procedure {code!r} not found", what="procedure", code=code)
    return found[code]


def studio_catalogue(
    session: Session, *, text: str = "", offset: int = 0, limit: int = 20
) -> Page[StudioProcedure]:
    """Every procedure, published or only drafted, by code; `text` matches code and names
    without accents ("tro cap" finds "Trợ cấp")."""
    named = _names(session)
    wanted = fold(text.strip())
    codes = [
        code
        for code, names in sorted(named.items())
        if not wanted or wanted in fold(" ".join(names))
    ]
    shown = codes[offset : offset + limit]
    histories = _histories(session, shown)
    items = []
    for code in shown:
        versions = histories[code]
        current = next((v.number for v in versions if v.status == "published"), None)
        name_vi, name_en, field = named[code][1:]
        items.append(StudioProcedure(code, name_vi, name_en, field, current, versions))
    return Page(items=items, total=len(codes))


def _names(session: Session) -> dict[str, tuple[str, str, str, str]]:
    """code -> (code, name_vi, name_en, field): the current version's, or the draft's."""
    named: dict[str, tuple[str, str, str, str]] = {}
    for code, meta in session.execute(select(ProcedureDraft.code, ProcedureDraft.meta)):
        named[code] = (
            code,
            str(meta.get("name_vi") or ""),
            str(meta.get("name_en") or ""),
            str(meta.get("field") or ""),
        )
    published = session.execute(
        select(Procedure.code, ProcedureVersion.name_vi, ProcedureVersion.name_en)
        .add_columns(ProcedureVersion.field)
        .join(ProcedureVersion, ProcedureVersion.id == Procedure.current_version_id)
    )
    for code, name_vi, name_en, field in published:
        named[code] = (code, name_vi, name_en, field)
    return named


def _histories(session: Session, codes: Sequence[str]) -> dict[str, list[VersionSummary]]:
    """code -> its draft line and version lines, for the procedures among `codes` that have
    either; four queries whatever the number of procedures."""
    if not codes:
        return {}
    histories: dict[str, list[VersionSummary]] = {}
    drafts = session.execute(
        select(ProcedureDraft.code, ProcedureDraft.content_hash, ProcedureDraft.meta)
        .add_columns(ProcedureDraft.saved_at, User.full_name)
        .outerjoin(User, User.id == ProcedureDraft.saved_by)
        .where(ProcedureDraft.code.in_(codes))
    )
    for code, content_hash, meta, saved_at, saved_by in drafts:
        limit = meta.get("time_limit")
        histories[code] = [
            VersionSummary(
                None,
                content_hash,
                None,
                limit if isinstance(limit, int) else None,
                str(meta.get("time_limit_unit") or "days"),
                status="draft",
                published_by=saved_by,
                saved_at=saved_at,
            )
        ]
    open_counts = _open_dossiers(session, codes)
    versions = session.execute(
        select(Procedure.code, Procedure.current_version_id, ProcedureVersion, User.full_name)
        .join(ProcedureVersion, ProcedureVersion.procedure_id == Procedure.id)
        .outerjoin(User, User.id == ProcedureVersion.published_by)
        .where(Procedure.code.in_(codes))
        .order_by(Procedure.code, ProcedureVersion.number.desc())
    )
    for code, current_id, version, published_by in versions:
        histories.setdefault(code, []).append(
            VersionSummary(
                version.number,
                version.content_hash,
                version.published_at,
                version.time_limit_days,
                version.time_limit_unit,
                status="retired"
                if version.retired_at is not None
                else "published"
                if version.id == current_id
                else "superseded",
                published_by=published_by,
                note=version.note,
                source=version.source,
                open_dossiers=open_counts.get(version.id, 0),
            )
        )
    return histories


def _open_dossiers(session: Session, codes: Sequence[str]) -> dict[int, int]:
    """version id -> how many of its dossiers are not finished."""
    rows = session.execute(
        select(Dossier.procedure_version_id, func.count())
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .where(Procedure.code.in_(codes), Dossier.status.not_in(FINAL_STATUSES))
        .group_by(Dossier.procedure_version_id)
    )
    return {version_id: count for version_id, count in rows}
