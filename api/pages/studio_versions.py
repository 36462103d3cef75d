"""The studio's pages for simplifying a procedure safely: compare two versions (both diagrams
coloured, the list of changes, the printable before/after table), preview and migrate running
dossiers (with a mapping of removed steps), follow the job, retire a version. Each calls the
same engine functions as the API (engine.catalogue.comparisons, engine.work.migrations)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from api import scheduler
from api.database import new_uow
from api.database import read_session
from api.pages.common import actor
from api.pages.common import label
from api.pages.common import load_form
from api.pages.common import page_blueprint
from api.pages.common import role_label
from api.pages.i18n import translate
from api.schemas.base import MAX_ID
from engine.access.actors import require_role_anywhere
from engine.analytics.before_after import compare_versions
from engine.catalogue.comparisons import CHANGERS
from engine.catalogue.comparisons import compare
from engine.catalogue.comparisons import retire
from engine.catalogue.drafts import require_reader
from engine.errors import InvalidData
from engine.queries.procedures import get_procedure
from engine.work import migrations
from engine.work.move_preview import MOVERS
from engine.work.move_preview import preview

blp = page_blueprint("pages_studio_versions")
VERSION = validate.Range(min=1, max=MAX_ID)
PROPERTY_LABELS = {
    "name": ("Tên", "Name"),
    "kind": ("Loại phần tử", "Element kind"),
    "role": ("Vai trò", "Role"),
    "form": ("Biểu mẫu", "Form"),
    "time_limit": ("Thời hạn bước", "Step time limit"),
    "condition": ("Điều kiện", "Condition"),
    "script": ("Mã lệnh", "Script"),
    "outcome": ("Kết quả khi kết thúc", "End outcome"),
    "source": ("Đi từ", "From"),
    "target": ("Đi tới", "To"),
    "type": ("Kiểu trường", "Field type"),
    "label": ("Nhãn", "Label"),
    "validate": ("Ràng buộc", "Validation"),
    "values": ("Lựa chọn", "Options"),
}
KIND_LABELS = {
    "userTask": ("Bước do người xử lý", "User task"),
    "manualTask": ("Bước thủ công", "Manual task"),
    "task": ("Bước", "Task"),
    "scriptTask": ("Bước mã lệnh", "Script task"),
    "serviceTask": ("Bước dịch vụ", "Service task"),
    "sequenceFlow": ("Luồng", "Sequence flow"),
    "exclusiveGateway": ("Cổng rẽ nhánh", "Exclusive gateway"),
    "parallelGateway": ("Cổng song song", "Parallel gateway"),
    "inclusiveGateway": ("Cổng bao hàm", "Inclusive gateway"),
    "startEvent": ("Bắt đầu", "Start event"),
    "endEvent": ("Kết thúc", "End event"),
    "subProcess": ("Quy trình con", "Sub-process"),
    "boundaryEvent": ("Sự kiện biên", "Boundary event"),
    "intermediateCatchEvent": ("Sự kiện chờ", "Catch event"),
}
UNIT_LABELS = {
    "days": ("ngày làm việc", "working days"),
    "hours": ("giờ làm việc", "working hours"),
}


def _helpers() -> dict[str, Any]:
    """The words the comparison and migration pages show for the diff's keys."""

    def shown(name: str, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if name == "role":
            return role_label(str(value))
        if name == "kind":
            return label(KIND_LABELS.get(str(value)), str(value))
        return str(value)

    def delta(before: float, after: float) -> str:
        change = round(after - before, 2)
        return "—" if change == 0 else f"{change:+g}"

    return {
        "shown": shown,
        "delta": delta,
        "property_label": lambda name: label(PROPERTY_LABELS.get(name), name),
        "properties_text": lambda properties: ", ".join(
            label(PROPERTY_LABELS.get(name), name) for name in properties
        ),
        "kind_label": lambda kind: label(KIND_LABELS.get(kind), kind),
        "unit_label": lambda unit: label(UNIT_LABELS.get(unit), unit),
        "roles_text": lambda roles: ", ".join(role_label(role) for role in roles),
    }


class CompareQuery(Schema):
    from_ = fields.Integer(data_key="from", load_default=None, validate=VERSION)
    to = fields.Integer(load_default=None, validate=VERSION)


class MigrateForm(Schema):
    csrf_token = fields.String(load_only=True)
    to = fields.Integer(required=True, validate=VERSION)
    dossier_ids = fields.List(fields.Integer(validate=VERSION), load_default=list)


class RetireForm(Schema):
    csrf_token = fields.String(load_only=True)
    make_current = fields.Integer(load_default=None, validate=VERSION)


def _versions(code: str) -> tuple[list[int], int]:
    """The procedure's version numbers, newest first, and the current one."""
    with read_session() as session:
        detail = get_procedure(session, code)
    numbers = sorted((line.number for line in detail.versions if line.number), reverse=True)
    return numbers, detail.version


def _pick(code: str) -> tuple[list[int], int, int]:
    numbers, current = _versions(code)
    picked = {key: value for key, value in request.args.items() if key in ("from", "to")}
    query = load_form(CompareQuery(), picked)
    to = query["to"] or current
    before = query["from_"] or next((n for n in numbers if n < to), to)
    return numbers, before, to


@blp.get("/studio/<string:code>/compare")
def compare_page(code: str) -> str:
    user = actor()
    require_reader(user)
    numbers, before, after = _pick(code)
    with read_session() as session:
        found = compare(session, user, code, before=before, after=after)
        measured = {figures.number: figures for figures in compare_versions(session, user, code)}
        files = {
            number: get_procedure(session, code, number).bpmn_xml for number in {before, after}
        }
    diagrams = {"from": files[before], "to": files[after]}
    return render_template(
        "studio_compare.html",
        code=code,
        numbers=numbers,
        before=before,
        after=after,
        diff=found,
        measured=(measured.get(before), measured.get(after)),
        payload={
            "diagrams": diagrams,
            "added": [item["element_id"] for item in found.added],
            "removed": [item["element_id"] for item in found.removed],
            "changed": [item["element_id"] for item in found.changed],
            "moved": [item["element_id"] for item in found.moved],
        },
        may_move=user.is_admin or any(user.holds_anywhere(role) for role in MOVERS),
        **_helpers(),
    )


def _mapping() -> dict[str, str]:
    """`map.<old element>=<new element>` pairs of the preview form; empty choices left out."""
    return {
        key[4:]: value
        for key, value in request.values.items()
        if key.startswith("map.") and value and len(key) <= 124 and len(value) <= 120
    }


@blp.get("/studio/<string:code>/migrate")
def migrate_page(code: str) -> str:
    user = actor()
    numbers, before, after = _pick(code)
    mapping = _mapping()
    errors: list[str] = []
    with read_session() as session:
        try:
            seen = preview(session, user, code, to=after, mapping=mapping)
        except InvalidData as exc:
            errors = [message for messages in exc.errors.values() for message in messages]
            mapping = {}
            seen = preview(session, user, code, to=after)
    unmapped = sorted({item.element_id for item in seen.blocked if item.element_id})
    return render_template(
        "studio_migrate.html",
        code=code,
        numbers=numbers,
        before=before,
        after=after,
        preview=seen,
        mapping=mapping,
        unmapped=sorted(set(unmapped) | set(mapping)),
        targets=seen.target_steps,
        errors=errors,
        may_move=user.is_admin or any(user.holds_anywhere(role) for role in MOVERS),
        **_helpers(),
    )


@blp.post("/studio/<string:code>/migrate")
def migrate(code: str) -> Any:
    data = request.form.to_dict()
    data["dossier_ids"] = request.form.getlist("dossier_ids")
    data = {key: value for key, value in data.items() if not key.startswith("map.")}
    form = load_form(MigrateForm(), data)
    mapping = _mapping()
    with new_uow() as uow:
        job_id = migrations.start(
            uow,
            actor(),
            code,
            to=form["to"],
            dossier_ids=form["dossier_ids"] or None,
            mapping=mapping,
        )
    scheduler.run_migrations_soon(current_app._get_current_object())  # noqa: SLF001
    return redirect(url_for(".job_page", job_id=job_id))


@blp.get("/studio/migrations/<int:job_id>")
def job_page(job_id: int) -> str:
    with new_uow() as uow:
        job = migrations.get_job(uow, actor(), job_id)
    return render_template("studio_job.html", job=job)


@blp.get("/studio/<string:code>/versions/<int:number>/retire")
def retire_page(code: str, number: int) -> str:
    user = actor()
    require_role_anywhere(user, *CHANGERS)
    numbers, current = _versions(code)
    return render_template(
        "studio_retire.html",
        code=code,
        number=number,
        current=current,
        others=[n for n in numbers if n != number],
    )


@blp.post("/studio/<string:code>/versions/<int:number>/retire")
def retire_version(code: str, number: int) -> Any:
    form = load_form(RetireForm(), request.form.to_dict())
    with new_uow() as uow:
        current = retire(uow, actor(), code, number, make_current=form["make_current"])
    flash(
        translate("Đã ngừng dùng phiên bản {number}; phiên bản hiện hành: {current}.").format(
            number=number, current=current
        ),
        "success",
    )
    return redirect(url_for("pages_studio_catalogue.catalogue", q=code))
