"""The dossier page (summary, open tasks, documents, history) and adding documents to it."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from sqlalchemy.orm import Session

from api.audit_trail import record_read
from api.database import new_uow
from api.database import read_session
from api.pages.common import actor
from api.pages.common import in_language
from api.pages.common import page_blueprint
from api.pages.dossier_filters import FILTER_KEYS
from api.pages.dossier_filters import PER_PAGE
from api.pages.dossier_filters import ListRequest
from api.pages.dossier_filters import next_sort
from api.pages.dossier_filters import read_list_request
from api.pages.dossier_filters import without
from api.pages.i18n import translate
from api.pages.tasks import render_task
from api.routes.attachments import attachments_dir
from api.routes.attachments import uploads_from_request
from engine.catalogue.attachments import attach
from engine.dossiers.receive import CHANNELS
from engine.dossiers.receive import RECEPTION_POINT_KINDS
from engine.errors import Conflict
from engine.errors import Forbidden
from engine.errors import InvalidData
from engine.people import audit
from engine.queries.dossier_list import filter_units
from engine.queries.dossier_list import list_dossiers
from engine.queries.procedures import list_procedures
from engine.queries.workspace import dossier_page
from engine.rules.status import STATUSES
from engine.views import DossierView
from engine.views import Page

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
    """Every dossier of the user's units, finished ones too: found by code, applicant name (with
    or without accents), ID number or phone, filtered, sorted by a column, a page at a time."""
    asked = read_list_request(request.args)
    with read_session() as session:
        page, asked = _listed(session, asked)
        procedures = list_procedures(session)
        units = filter_units(session, actor())
    return render_template(
        "dossiers.html",
        dossiers=page.items,
        total=page.total,
        asked=asked,
        values=asked.values,
        sort=asked.sort,
        next_sort=lambda key: next_sort(asked.sort, key),
        filtered=any(asked.values.get(key) for key in FILTER_KEYS),
        statuses=[key for key in STATUS_FILTERS if key in STATUSES],
        procedures=procedures,
        units=units,
        channels=CHANNELS,
        points=RECEPTION_POINT_KINDS,
        page=asked.page,
        pages=max(1, -(-page.total // PER_PAGE)),
    )


def _listed(session: Session, asked: ListRequest) -> tuple[Page[DossierView], ListRequest]:
    """The page of dossiers; a filter the engine refuses (a unit not the user's, a procedure
    that does not exist, a period that ends before it starts) is dropped with its message."""
    offset = (asked.page - 1) * PER_PAGE
    for _attempt in range(2):
        try:
            found = list_dossiers(
                session, actor(), asked.filters, sort=asked.sort, offset=offset, limit=PER_PAGE
            )
            return found, asked
        except Forbidden:
            asked = without(asked, {"unit": translate("Bạn không xem được hồ sơ của đơn vị này.")})
        except InvalidData as error:
            asked = without(
                asked, {key: in_language(msgs[0]) for key, msgs in error.errors.items()}
            )
    return Page([], 0), asked


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
