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
from flask_babel import gettext as _
from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from api import scheduler
from api.database import new_uow
from api.database import read_session
from api.pages.common import actor
from api.pages.common import load_form
from api.pages.common import page_blueprint
from api.schemas.base import MAX_ID
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


class CompareQuery(Schema):
    from_ = fields.Integer(data_key="from", load_default=None, validate=VERSION)
    to = fields.Integer(load_default=None, validate=VERSION)
    lang = fields.String(load_default=None)


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
    query = load_form(CompareQuery(), request.args.to_dict())
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
        files = {
            number: get_procedure(session, code, number).contents for number in {before, after}
        }
    diagrams = {
        side: next((text for name, text in files[number].items() if name.endswith(".bpmn")), "")
        for side, number in (("from", before), ("to", after))
    }
    return render_template(
        "studio_compare.html",
        code=code,
        numbers=numbers,
        before=before,
        after=after,
        diff=found,
        payload={
            "diagrams": diagrams,
            "added": [item["element_id"] for item in found.added],
            "removed": [item["element_id"] for item in found.removed],
            "changed": [item["element_id"] for item in found.changed],
            "moved": [item["element_id"] for item in found.moved],
        },
        may_move=user.is_admin or any(user.holds_anywhere(role) for role in MOVERS),
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
        found = compare(session, user, code, before=before, after=after)
    targets = sorted(
        {item["element_id"] for item in found.added}
        | {item["element_id"] for item in found.changed}
    )
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
        targets=targets,
        errors=errors,
        may_move=user.is_admin or any(user.holds_anywhere(role) for role in MOVERS),
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
    require_reader(user)
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
        _("Đã ngừng dùng phiên bản %(number)s; phiên bản hiện hành: %(current)s.")
        % {"number": number, "current": current},
        "ok",
    )
    return redirect(url_for("pages_studio_catalogue.catalogue", q=code))
