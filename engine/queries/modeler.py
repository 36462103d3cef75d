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
from engine.queries.procedures import metadata_fields
from engine.views import DraftView


@dataclass(frozen=True)
class ModelerSource:
    code: str
    version: int | None
    """The version shown (for a draft: the current one it will follow; None before any)."""
    is_current: bool
    process_file: str
    files: dict[str, str]
    metadata: dict[str, Any]
    """As ProcedureMetadataIn reads it, so a validate or save can send it back unchanged."""


def modeler_source(
    session: Session, code: str, version: int | None = None, *, draft: DraftView | None = None
) -> ModelerSource:
    """The draft when there is one (a new procedure has nothing else), else the version asked
    for or the current one."""
    procedure = session.scalars(select(Procedure).where(Procedure.code == code)).one_or_none()
    if draft is not None:
        number = _current_number(session, procedure)
        return ModelerSource(
            code=code,
            version=number,
            is_current=True,
            process_file=_process_file(draft.files, code),
            files=dict(sorted(draft.files.items())),
            metadata={"code": code, **draft.metadata},
        )
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
    metadata = metadata_fields(code, found)
    return ModelerSource(
        code=code,
        version=found.number,
        is_current=found.id == procedure.current_version_id,
        process_file=_process_file(files, code),
        files=files,
        metadata=metadata,
    )


def _process_file(files: dict[str, str], code: str) -> str:
    """The diagram the modeler opens: the one named after the procedure, else the first (a
    procedure also holds the diagrams it calls, e.g. processes/shared/sign_and_seal.bpmn)."""
    own = f"{code}{BPMN_SUFFIX}"
    if own in files:
        return own
    return next((name for name in sorted(files) if name.endswith(BPMN_SUFFIX)), own)


def _current_number(session: Session, procedure: Procedure | None) -> int | None:
    if procedure is None or procedure.current_version_id is None:
        return None
    number: int | None = session.scalar(
        select(ProcedureVersion.number).where(ProcedureVersion.id == procedure.current_version_id)
    )
    return number
