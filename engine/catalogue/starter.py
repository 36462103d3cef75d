"""A new procedure starts as a draft: from a blank diagram, or from the starter template
(reception -> appraisal -> leader approval -> return, with the supplement and refusal paths,
lanes by role and a form for each step). The templates live beside this module, never under
processes/, so `flask prepare` does not publish them.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from string import Template
from xml.sax.saxutils import escape

from sqlalchemy import select

from engine.access.actors import Actor
from engine.access.actors import require_role_anywhere
from engine.catalogue.drafts import save_draft
from engine.catalogue.procedures import ProcedureMetadata
from engine.catalogue.procedures import check_metadata
from engine.errors import InvalidData
from engine.models import Procedure
from engine.models import ProcedureDraft
from engine.rules.calendar import DAYS
from engine.store.uow import UnitOfWork
from engine.views import DraftView

TEMPLATES = Path(__file__).parent / "templates"
STARTS = ("starter", "blank")
PROCESS_TEMPLATE = "process.bpmn"
APPRAISAL_ROLES = {
    "civil_status": "civil_status",
    "certification": "civil_status",
    "residence": "commune_police",
    "health_insurance": "social_insurance",
    "labour_social": "labour_social",
}
"""Who appraises in each field; a field without its own role (land) gets civil_status, which
the designer changes in the modeler."""
LIMIT = '\n          <spiffworkflow:property name="time_limit" value="{}" />'


def start_procedure(
    uow: UnitOfWork, actor: Actor, meta: ProcedureMetadata, start: str = "starter"
) -> DraftView:
    """The new procedure's draft (nothing is published); refused when the code is taken."""
    require_role_anywhere(actor, "designer")
    check_metadata(meta)
    if start not in STARTS:
        raise InvalidData(
            "unknown start", {"start": ["Chọn sơ đồ trống hoặc mẫu (blank, starter)."]}
        )
    uow.begin_write()
    taken = uow.session.scalar(select(Procedure.id).where(Procedure.code == meta.code))
    drafted = uow.session.scalar(select(ProcedureDraft.id).where(ProcedureDraft.code == meta.code))
    if taken is not None or drafted is not None:
        raise InvalidData(
            "the code is taken",
            {"code": [f"Đã có thủ tục mã {meta.code} (the code is taken)."]},
        )
    metadata = {k: v for k, v in asdict(meta).items() if v is not None}
    return save_draft(uow, actor, meta.code, starter_files(meta, start), metadata, None)


def starter_files(meta: ProcedureMetadata, start: str) -> dict[str, str]:
    folder = TEMPLATES / start
    files = {
        path.name: path.read_text(encoding="utf-8")
        for path in sorted(folder.iterdir())
        if path.name != PROCESS_TEMPLATE
    }
    diagram = Template((folder / PROCESS_TEMPLATE).read_text(encoding="utf-8"))
    files[f"{meta.code}.bpmn"] = diagram.substitute(
        code=meta.code,
        name=escape(meta.name_vi, {'"': "&quot;"}),
        appraisal_role=APPRAISAL_ROLES.get(meta.field, "civil_status"),
        **_step_limits(meta),
    )
    return files


def _step_limits(meta: ProcedureMetadata) -> dict[str, str]:
    """Step limits that add up to the statutory limit on the longest path (check the same day,
    appraisal the rest, one day each for the leader and the return); none when it is too short
    to share or counted in hours."""
    if meta.time_limit_unit != DAYS or meta.time_limit < 3:
        return {"check_limit": "", "appraise_limit": "", "one_day_limit": ""}
    return {
        "check_limit": LIMIT.format("0d"),
        "appraise_limit": LIMIT.format(f"{meta.time_limit - 2}d"),
        "one_day_limit": LIMIT.format("1d"),
    }
