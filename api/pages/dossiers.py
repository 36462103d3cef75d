"""The dossier page (summary, open tasks, documents, history) and adding documents to it."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from api.audit_trail import record_read
from api.database import new_uow
from api.database import read_session
from api.pages.common import actor
from api.pages.common import load_form
from api.pages.common import page_blueprint
from api.pages.i18n import translate
from api.pages.tasks import render_task
from api.routes.attachments import attachments_dir
from api.routes.attachments import uploads_from_request
from api.schemas.base import page_bounds
from api.schemas.work import DossierQuery
from engine.catalogue.attachments import attach
from engine.errors import Conflict
from engine.errors import InvalidData
from engine.people import audit
from engine.queries.dossiers import list_dossiers
from engine.queries.workspace import dossier_page
from engine.rules.status import STATUSES

blp = page_blueprint("pages_dossiers")


def render_dossier(
    dossier_id: int,
    *,
    status: int = 200,
    panel: str | None = None,
    panel_values: dict[str, Any] | None = None,
    panel_errors: dict[str, list[str]] | None = None,
) -> tuple[str, int]:
    with read_session() as session:
        page = dossier_page(session, actor(), dossier_id)
    record_read(audit.DOSSIER_VIEWED, dossier_id=dossier_id, detail="page")
    html = render_template(
        "dossier.html",
        page=page,
        dossier=page.dossier,
        received=request.args.get("received") == "1",
        actions=page.actions,
        panel=panel,
        panel_values=panel_values or {},
        panel_errors=panel_errors or {},
    )
    return html, status


PER_PAGE = 20
STATUS_FILTERS = (
    "received",
    "processing",
    "supplement_requested",
    "result_returned",
    "processed",
    "refused",
    "withdrawn",
)
"""The statuses a clerk filters the list by, in the order a dossier meets them."""


@blp.get("/dossiers")
def list_page() -> Any:
    """Every dossier of the user's units, finished ones too: found by code, applicant name,
    ID number or phone, filtered by status, newest first."""
    raw = {key: request.args[key] for key in ("q", "status", "page") if request.args.get(key)}
    try:
        args = load_form(DossierQuery(), {**raw, "per_page": str(PER_PAGE)})
    except InvalidData:
        args = load_form(DossierQuery(), {"per_page": str(PER_PAGE)})
    offset, limit = page_bounds(args)
    with read_session() as session:
        page = list_dossiers(
            session,
            actor(),
            status=args.get("status"),
            q=args.get("q"),
            offset=offset,
            limit=limit,
        )
    return render_template(
        "dossiers.html",
        dossiers=page.items,
        total=page.total,
        q=args.get("q", ""),
        status=args.get("status", ""),
        statuses=[key for key in STATUS_FILTERS if key in STATUSES],
        page=args["page"],
        pages=max(1, -(-page.total // PER_PAGE)),
    )


@blp.get("/dossiers/<int:dossier_id>")
def show(dossier_id: int) -> Any:
    return render_dossier(dossier_id)


def back_to(dossier_id: int) -> str:
    """Where a dossier command returns: the task page it came from, else the dossier page."""
    task_id = request.form.get("task_id", "")
    if task_id.isdigit():
        return url_for("pages_tasks.show", task_id=int(task_id))
    return url_for("pages_dossiers.show", dossier_id=dossier_id)


def render_back(dossier_id: int, **kwargs: Any) -> tuple[str, int]:
    """Re-render the page the form was on, with the user's input and messages."""
    task_id = request.form.get("task_id", "")
    if task_id.isdigit():
        return render_task(int(task_id), **kwargs)
    return render_dossier(dossier_id, **kwargs)


@blp.post("/dossiers/<int:dossier_id>/attachments")
def add_attachments(dossier_id: int) -> Any:
    try:
        with new_uow() as uow:
            attach(
                uow,
                actor(),
                dossier_id,
                uploads=uploads_from_request(),
                folder=attachments_dir(),
                max_bytes=current_app.config["ATTACHMENT_MAX_BYTES"],
            )
    except InvalidData as error:
        return render_back(dossier_id, status=422, panel="attachments", panel_errors=error.errors)
    except Conflict as error:
        flash(error.detail, "error")
        return redirect(back_to(dossier_id))
    flash(translate("Đã tải lên giấy tờ."), "success")
    return redirect(back_to(dossier_id))
