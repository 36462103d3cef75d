"""The procedure catalogue as readers see it: the current version of each, and one with its
history."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.compiler import BPMN_SUFFIX
from engine.errors import NotFound
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.rules.office_rules import DEFAULT_SUPPLEMENT_DAYS
from engine.views import ProcedureDetail
from engine.views import ProcedureView
from engine.views import VersionSummary


def list_procedures(session: Session, *, field: str | None = None) -> list[ProcedureView]:
    query = (
        select(Procedure, ProcedureVersion)
        .join(ProcedureVersion, ProcedureVersion.id == Procedure.current_version_id)
        .order_by(Procedure.code)
    )
    if field:
        query = query.where(ProcedureVersion.field == field)
    rows = session.execute(query).all()
    return [procedure_view(procedure, version) for procedure, version in rows]


def get_procedure(session: Session, code: str) -> ProcedureDetail:
    procedure = session.scalars(select(Procedure).where(Procedure.code == code)).one_or_none()
    if procedure is None or procedure.current_version_id is None:
        raise NotFound(f"procedure {code!r} not found", what="procedure", code=code)
    current = session.get_one(ProcedureVersion, procedure.current_version_id)
    versions = session.scalars(
        select(ProcedureVersion)
        .where(ProcedureVersion.procedure_id == procedure.id)
        .order_by(ProcedureVersion.number.desc())
    ).all()
    bpmn = next(
        (text for name, text in sorted(current.files.items()) if name.endswith(BPMN_SUFFIX)), ""
    )
    base = procedure_view(procedure, current)
    return ProcedureDetail(
        **base.__dict__,
        files=sorted(current.files),
        bpmn_xml=bpmn,
        versions=[
            VersionSummary(
                v.number, v.content_hash, v.published_at, v.time_limit_days, v.time_limit_unit
            )
            for v in versions
        ],
    )


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
    )
