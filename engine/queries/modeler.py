"""What the studio's modeler opens: one version of a procedure, its files and its metadata (the
current version unless a number is asked for)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.compiler import BPMN_SUFFIX
from engine.errors import NotFound
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.rules.office_rules import DEFAULT_SUPPLEMENT_DAYS


@dataclass(frozen=True)
class ModelerSource:
    code: str
    version: int
    is_current: bool
    process_file: str
    files: dict[str, str]
    metadata: dict[str, Any]
    """As ProcedureMetadataIn reads it, so a validate or save can send it back unchanged."""


def modeler_source(session: Session, code: str, version: int | None = None) -> ModelerSource:
    procedure = session.scalars(select(Procedure).where(Procedure.code == code)).one_or_none()
    if procedure is None or procedure.current_version_id is None:
        raise NotFound(f"procedure {code!r} not found", what="procedure", code=code)
    query = select(ProcedureVersion).where(ProcedureVersion.procedure_id == procedure.id)
    if version is None:
        query = query.where(ProcedureVersion.id == procedure.current_version_id)
    else:
        query = query.where(ProcedureVersion.number == version)
    found = session.scalars(query).one_or_none()
    if found is None:
        raise NotFound(f"procedure {code!r} has no version {version}", what="version", code=code)
    files = {name: str(text) for name, text in sorted(found.files.items())}
    process_file = next((name for name in files if name.endswith(BPMN_SUFFIX)), f"{code}.bpmn")
    metadata: dict[str, Any] = {
        "code": code,
        "name_vi": found.name_vi,
        "name_en": found.name_en,
        "field": found.field,
        "time_limit": found.time_limit_days,
        "time_limit_unit": found.time_limit_unit,
        "process_id": found.process_id,
        "fee": found.fee_rule,
        "supplement_days": found.supplement_days or DEFAULT_SUPPLEMENT_DAYS,
    }
    return ModelerSource(
        code=code,
        version=found.number,
        is_current=found.id == procedure.current_version_id,
        process_file=process_file,
        files=files,
        metadata=metadata,
    )
