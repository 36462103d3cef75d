"""The administrators' incident list: what failed on which dossier, and a button to run it again
once the diagram is fixed. The same engine functions serve GET/POST /api/v1/incidents."""

from __future__ import annotations

from typing import Any

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from api.database import new_uow
from api.database import read_session
from api.pages.common import actor
from api.pages.common import load_form
from api.pages.common import page_blueprint
from api.pages.i18n import translate
from api.schemas.base import page_bounds
from api.schemas.incidents import IncidentQuery
from engine.errors import Conflict
from engine.errors import InvalidData
from engine.queries.incidents import list_incidents
from engine.texts import N_
from engine.work.incident_retry import retry

blp = page_blueprint("pages_incidents")

PER_PAGE = 20
STATE_TABS = (("open", N_("Đang mở")), ("resolved", N_("Đã xử lý")), ("all", N_("Tất cả")))


def _query() -> dict[str, Any]:
    raw = {
        "state": request.args.get("state", "open"),
        "page": request.args.get("page", "1"),
        "per_page": str(PER_PAGE),
    }
    try:
        return load_form(IncidentQuery(), raw)
    except InvalidData:
        return load_form(IncidentQuery(), {"per_page": str(PER_PAGE)})


RESOLUTIONS = {
    "retried": N_("Đã chạy lại"),
    "task_closed": N_("Không còn cần chạy lại"),
    "timer_rearmed": N_("Đã hẹn giờ lại"),
    "moving": N_("Hồ sơ đã chạy tiếp"),
    "message_delivered": N_("Bên gửi đã gửi lại thông điệp"),
}
"""How an incident ended, in words (engine.models.incidents names the values)."""


@blp.get("/incidents")
def incidents() -> Any:
    args = _query()
    offset, limit = page_bounds(args)
    with read_session() as session:
        page = list_incidents(session, actor(), state=args["state"], offset=offset, limit=limit)
    return render_template(
        "incidents.html",
        incidents=page.items,
        total=page.total,
        state=args["state"],
        tabs=STATE_TABS,
        resolutions=RESOLUTIONS,
        page=args["page"],
        pages=max(1, -(-page.total // PER_PAGE)),
    )


@blp.post("/incidents/<int:incident_id>/retry")
def retry_incident(incident_id: int) -> Any:
    try:
        incident = retry(new_uow, actor(), incident_id)
    except Conflict as error:
        flash(error.detail, "error")
        return redirect(url_for("pages_incidents.incidents"))
    if incident.state == "open":
        failed_again = translate("Chạy lại vẫn lỗi")
        flash(f"{failed_again}: {incident.message}", "error")
    else:
        flash(translate("Đã chạy lại thành công; sự cố đã đóng."), "success")
    return redirect(url_for("pages_incidents.incidents"))
