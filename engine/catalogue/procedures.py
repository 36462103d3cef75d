"""The procedure catalogue: validate uploads, publish versions (engine.queries.procedures reads
them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy import select

from engine.access.actors import Actor
from engine.access.actors import require_role_anywhere
from engine.access.roles import FIELD_LABELS
from engine.bpmn.compiler import SPEC_CACHE
from engine.bpmn.compiler import CompiledProcedure
from engine.bpmn.compiler import compile_procedure
from engine.bpmn.decisions import decision_ids
from engine.bpmn.review import Limits
from engine.bpmn.review import check_expression as review_expression
from engine.bpmn.review import review
from engine.bpmn.variables import CONDITION
from engine.bpmn.variables import SCRIPT
from engine.bpmn.variables import ExpressionCheck
from engine.errors import DiagramInvalid
from engine.errors import InvalidData
from engine.errors import Problem
from engine.errors import UnsafeXml
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.queries.procedures import procedure_view
from engine.rules import fees
from engine.rules.calendar import DAYS
from engine.rules.calendar import UNITS
from engine.rules.calendar import check_limit
from engine.rules.office_rules import DEFAULT_SUPPLEMENT_DAYS
from engine.store.uow import UnitOfWork
from engine.views import Checked
from engine.views import PublishResult

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
MAX_TIME_LIMIT_DAYS = 365
MAX_SUPPLEMENT_DAYS = 60


@dataclass(frozen=True)
class ProcedureMetadata:
    code: str
    name_vi: str
    name_en: str
    field: str
    time_limit: int
    process_id: str | None = None
    time_limit_unit: str = DAYS
    """`days` (working days, 0 = same day) or `hours` (working hours)."""
    fee: dict[str, Any] | None = None
    """Fee rule (engine/fees.py); None: no fee stated."""
    supplement_days: int = DEFAULT_SUPPLEMENT_DAYS
    """Working days the applicant has to answer a supplement request."""
    national_code: str | None = None
    """The code of the national procedure database (e.g. `1.004222`); None when it has none."""
    legal_basis: list[str] | None = None
    """The legal documents the procedure rests on, as their titles read."""
    required_documents: list[dict[str, Any]] | None = None
    """The papers an applicant brings: {name, kind (original, copy or either), count}."""
    unconfirmed: list[str] | None = None
    """Which of the metadata's figures (e.g. `fee`) no official source has confirmed yet."""

    def details(self) -> dict[str, Any]:
        """What a version stores beside its columns (the `details` JSON)."""
        return {
            "legal_basis": list(self.legal_basis or []),
            "required_documents": [dict(item) for item in self.required_documents or []],
            "unconfirmed": list(self.unconfirmed or []),
        }


def check_metadata(meta: ProcedureMetadata) -> None:
    errors: dict[str, list[str]] = {}
    if not CODE_PATTERN.match(meta.code):
        errors["code"] = ["Mã thủ tục gồm chữ thường, số, gạch dưới (a-z, 0-9, _)."]
    if meta.field not in FIELD_LABELS:
        errors["field"] = [f"Lĩnh vực phải là một trong: {', '.join(FIELD_LABELS)}."]
    if meta.time_limit_unit not in UNITS:
        errors["time_limit_unit"] = ["Đơn vị thời hạn: days (ngày làm việc) hoặc hours (giờ)."]
    else:
        try:
            check_limit(meta.time_limit, meta.time_limit_unit)
        except ValueError:
            errors["time_limit"] = [
                f"Thời hạn từ 0 đến {MAX_TIME_LIMIT_DAYS} ngày làm việc, hoặc 1 đến "
                f"{MAX_TIME_LIMIT_DAYS * 8} giờ làm việc."
            ]
    for key in ("name_vi", "name_en"):
        if not getattr(meta, key).strip():
            errors[key] = ["Trường này là bắt buộc (required)."]
    if meta.fee is not None and fees.rule_problems(meta.fee):
        errors["fee"] = fees.rule_problems(meta.fee)
    if not 1 <= meta.supplement_days <= MAX_SUPPLEMENT_DAYS:
        errors["supplement_days"] = [f"Từ 1 đến {MAX_SUPPLEMENT_DAYS} ngày làm việc."]
    errors.update(_detail_problems(meta))
    if errors:
        raise InvalidData("the procedure metadata is not valid", errors)


NO_DETAILS: dict[str, Any] = {"legal_basis": [], "required_documents": [], "unconfirmed": []}
"""What a version published before migration 0013 states besides its columns."""
NATIONAL_CODE_PATTERN = re.compile(r"^[0-9]\.[0-9]{6}$")
DOCUMENT_KINDS = ("original", "copy", "either")
"""A paper brought as the original (bản chính), a copy (bản sao) or either."""


def _detail_problems(meta: ProcedureMetadata) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if meta.national_code and not NATIONAL_CODE_PATTERN.match(meta.national_code):
        errors["national_code"] = [
            "Mã thủ tục trên Cơ sở dữ liệu quốc gia có dạng 1.004222 (one digit, a dot, six "
            "digits)."
        ]
    documents = _document_problems(meta.required_documents or [])
    if documents:
        errors["required_documents"] = documents
    return errors


def _document_problems(documents: list[dict[str, Any]]) -> list[str]:
    problems = []
    for number, item in enumerate(documents, start=1):
        name = str(item.get("name") or "").strip()
        count = item.get("count", 1)
        if not name:
            problems.append(f"Giấy tờ số {number}: thiếu tên (a paper needs its name).")
        if item.get("kind", "copy") not in DOCUMENT_KINDS:
            problems.append(
                f"Giấy tờ số {number}: bản chính, bản sao hoặc một trong hai "
                "(original, copy or either)."
            )
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 20:
            problems.append(f"Giấy tờ số {number}: số lượng từ 1 đến 20 (count 1 to 20).")
    return problems


def _check_fee_table(meta: ProcedureMetadata, compiled: CompiledProcedure) -> None:
    """A fee decided by a table names one of the procedure's tables: otherwise every receipt
    would fail."""
    if not meta.fee or meta.fee.get("kind") != "decision":
        return
    if meta.fee["decision"] not in decision_ids(compiled.tables):
        raise InvalidData(
            "the fee rule names a decision table the files lack",
            {
                "fee": [
                    f"Không có bảng quyết định '{meta.fee['decision']}' trong các tệp .dmn "
                    "(no such decision table in the files)."
                ]
            },
        )


def _decode(files: dict[str, bytes]) -> dict[str, str]:
    """Every file as text; the ones that are not UTF-8 are named, so the designer knows which."""
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    for name, content in files.items():
        try:
            texts[name] = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            message = f"Tệp phải mã hóa UTF-8 (byte {exc.start} is not UTF-8)."
            problems.append(Problem(message, file=name))
    if problems:
        raise DiagramInvalid("files must be UTF-8", problems)
    return texts


def validate(actor: Actor, meta: ProcedureMetadata, files: dict[str, bytes]) -> Checked:
    """Problems that would stop publication, and advice that would not; nothing is stored.
    Unsafe XML is still refused."""
    require_role_anywhere(actor, "designer")
    check_metadata(meta)
    try:
        _decode(files)
        compiled = compile_procedure(files, meta.process_id)
    except UnsafeXml:
        raise
    except DiagramInvalid as exc:
        return Checked(problems=exc.problems, warnings=[])
    _check_fee_table(meta, compiled)
    found = review(compiled, files, _limits(meta))
    return Checked(problems=found.errors, warnings=found.warnings)


def check_expression(
    actor: Actor,
    files: dict[str, str],
    element_id: str | None,
    expression: str,
    kind: str,
    process_id: str | None = None,
) -> ExpressionCheck:
    """The studio's "check" of one condition or script: does it compile under the sandbox's
    rules, which variables does it read, and which of them nothing in the files provides."""
    require_role_anywhere(actor, "designer")
    if kind not in (CONDITION, SCRIPT):
        raise InvalidData("kind is condition or script", {"kind": ["condition hoặc script."]})
    encoded = {name: text.encode("utf-8") for name, text in files.items()}
    return review_expression(encoded, element_id, expression, kind, process_id)


SOURCES = ("disk", "api", "studio")
"""Where a version was published from: processes/ by `flask prepare`, the publish API, a draft."""
MAX_NOTE = 2000


def publish(
    uow: UnitOfWork,
    actor: Actor,
    meta: ProcedureMetadata,
    files: dict[str, bytes],
    *,
    note: str | None = None,
    source: str = "api",
) -> PublishResult:
    """Store a new version when the files or metadata changed; the current one stays otherwise.
    Either way what the caller changed in `uow` beside it (a draft removed) is committed."""
    require_role_anywhere(actor, "designer")
    check_metadata(meta)
    if note is not None and len(note) > MAX_NOTE:
        raise InvalidData(
            "the change note is too long",
            {"note": [f"Ghi chú thay đổi tối đa {MAX_NOTE} ký tự (at most {MAX_NOTE})."]},
        )
    texts = _decode(files)
    compiled = compile_procedure(files, meta.process_id)
    _check_fee_table(meta, compiled)
    found = review(compiled, files, _limits(meta))
    if found.errors:
        raise DiagramInvalid("the diagram does not pass the checks", found.errors)
    uow.begin_write()
    session = uow.session
    procedure = session.scalars(
        select(Procedure).where(Procedure.code == meta.code).with_for_update(key_share=True)
    ).one_or_none()
    if procedure is None:
        procedure = Procedure(code=meta.code)
        session.add(procedure)
        session.flush()
    current = session.get(ProcedureVersion, procedure.current_version_id or 0)
    if current is not None and _same(current, compiled, meta):
        uow.commit()
        return PublishResult(procedure_view(procedure, current), False, found.warnings)
    number = (
        session.scalar(
            select(func.max(ProcedureVersion.number)).where(
                ProcedureVersion.procedure_id == procedure.id
            )
        )
        or 0
    ) + 1
    version = ProcedureVersion(
        procedure_id=procedure.id,
        number=number,
        content_hash=compiled.content_hash,
        process_id=compiled.process_id,
        name_vi=meta.name_vi,
        name_en=meta.name_en,
        field=meta.field,
        time_limit_days=meta.time_limit,
        time_limit_unit=meta.time_limit_unit,
        fee_rule=meta.fee,
        supplement_days=meta.supplement_days,
        national_code=meta.national_code or None,
        details=meta.details(),
        files=texts,
        published_by=actor.user_id,
        note=(note or "").strip() or None,
        source=source,
    )
    session.add(version)
    session.flush()
    procedure.current_version_id = version.id
    uow.commit()
    SPEC_CACHE.put(compiled)
    return PublishResult(procedure_view(procedure, version), True, found.warnings)


def _limits(meta: ProcedureMetadata) -> Limits:
    return Limits(meta.time_limit, meta.time_limit_unit, meta.supplement_days)


def _same(current: ProcedureVersion, compiled: CompiledProcedure, meta: ProcedureMetadata) -> bool:
    return (
        current.content_hash,
        current.process_id,
        current.name_vi,
        current.name_en,
        current.field,
        current.time_limit_days,
        current.time_limit_unit,
        current.fee_rule,
        current.supplement_days,
        current.national_code,
        current.details or NO_DETAILS,
    ) == (
        compiled.content_hash,
        compiled.process_id,
        meta.name_vi,
        meta.name_en,
        meta.field,
        meta.time_limit,
        meta.time_limit_unit,
        meta.fee,
        meta.supplement_days,
        meta.national_code or None,
        meta.details(),
    )
