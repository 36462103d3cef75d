"""The procedure catalogue as readers see it: the current version of each, and one with its
history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.compiler import BPMN_SUFFIX
from engine.errors import NotFound
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.models import User
from engine.rules.folding import fold
from engine.rules.office_rules import DEFAULT_SUPPLEMENT_DAYS
from engine.views import ProcedureDetail
from engine.views import ProcedureView
from engine.views import VersionSummary


def list_procedures(
    session: Session, *, field: str | None = None, q: str | None = None
) -> list[ProcedureView]:
    """The current version of each procedure; `q` finds a national code (`1.004222`), a code
    or words of a name, with or without Vietnamese accents."""
    query = (
        select(Procedure, ProcedureVersion)
        .join(ProcedureVersion, ProcedureVersion.id == Procedure.current_version_id)
        .order_by(Procedure.code)
    )
    if field:
        query = query.where(ProcedureVersion.field == field)
    views = [procedure_view(procedure, version) for procedure, version in session.execute(query)]
    if q and q.strip():
        wanted = fold(q.strip())
        views = [view for view in views if wanted in _searchable(view)]
    return views


def _searchable(view: ProcedureView) -> str:
    return fold(" ".join((view.national_code or "", view.code, view.name_vi, view.name_en)))


def get_procedure(session: Session, code: str, version: int | None = None) -> ProcedureDetail:
    """The current version, or version number `version`, with its files and the history."""
    procedure = session.scalars(select(Procedure).where(Procedure.code == code)).one_or_none()
    if procedure is None or procedure.current_version_id is None:
        raise NotFound(f"procedure {code!r} not found", what="procedure", code=code)
    versions = session.scalars(
        select(ProcedureVersion)
        .where(ProcedureVersion.procedure_id == procedure.id)
        .order_by(ProcedureVersion.number.desc())
    ).all()
    wanted = version_of(versions, procedure, version)
    bpmn = next(
        (text for name, text in sorted(wanted.files.items()) if name.endswith(BPMN_SUFFIX)), ""
    )
    base = procedure_view(procedure, wanted)
    return ProcedureDetail(
        **base.__dict__,
        files=sorted(wanted.files),
        bpmn_xml=bpmn,
        versions=[
            VersionSummary(
                v.number,
                v.content_hash,
                v.published_at,
                v.time_limit_days,
                v.time_limit_unit,
                status=version_status(procedure, v),
                note=v.note,
                source=v.source,
            )
            for v in versions
        ],
        contents=dict(sorted(wanted.files.items())),
        status=version_status(procedure, wanted),
        note=wanted.note,
        published_by=_full_name(session, wanted.published_by),
        source=wanted.source,
    )


def version_of(
    versions: Sequence[ProcedureVersion], procedure: Procedure, number: int | None
) -> ProcedureVersion:
    """The version numbered `number` (the current one when None); NotFound names the numbers."""
    if number is None:
        return next(v for v in versions if v.id == procedure.current_version_id)
    found = next((v for v in versions if v.number == number), None)
    if found is None:
        known = ", ".join(str(v.number) for v in sorted(versions, key=lambda v: v.number))
        raise NotFound(
            f"procedure {procedure.code!r} has no version {number} (versions: {known})",
            what="procedure_version",
            code=procedure.code,
            version=number,
        )
    return found


def version_status(procedure: Procedure, version: ProcedureVersion) -> str:
    if version.retired_at is not None:
        return "retired"
    return "published" if version.id == procedure.current_version_id else "superseded"


def _full_name(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return session.scalar(select(User.full_name).where(User.id == user_id))


def procedure_view(procedure: Procedure, version: ProcedureVersion) -> ProcedureView:
    """A procedure as one of its versions states it; publishing answers with it too."""
    return ProcedureView(
        code=procedure.code,
        name_vi=version.name_vi,
        name_en=version.name_en,
        field=version.field,
        version=version.number,
        time_limit=version.time_limit_days,
        time_limit_unit=version.time_limit_unit,
        process_id=version.process_id,
        published_at=version.published_at,
        fee=version.fee_rule,
        supplement_days=version.supplement_days or DEFAULT_SUPPLEMENT_DAYS,
        **details_of(version),
    )


def details_of(version: ProcedureVersion) -> dict[str, Any]:
    """What the version states besides its diagram (none before migration 0013)."""
    details = version.details or {}
    return {
        "national_code": version.national_code,
        "legal_basis": list(details.get("legal_basis") or []),
        "required_documents": list(details.get("required_documents") or []),
        "unconfirmed": list(details.get("unconfirmed") or []),
    }


def metadata_fields(code: str, version: ProcedureVersion) -> dict[str, Any]:
    """A version's catalogue data as metadata.json states it (what it does not state left out):
    the fields of engine.catalogue.procedures.ProcedureMetadata."""
    details = details_of(version)
    fields: dict[str, Any] = {
        "code": code,
        "name_vi": version.name_vi,
        "name_en": version.name_en,
        "field": version.field,
        "time_limit": version.time_limit_days,
        "process_id": version.process_id,
        "time_limit_unit": version.time_limit_unit,
        "fee": version.fee_rule,
        "supplement_days": version.supplement_days or DEFAULT_SUPPLEMENT_DAYS,
        "national_code": details["national_code"],
        "legal_basis": details["legal_basis"] or None,
        "required_documents": details["required_documents"] or None,
        "unconfirmed": details["unconfirmed"] or None,
    }
    return {key: value for key, value in fields.items() if value is not None}
