"""The reception desk: receive a walk-in dossier with its documents, then print the slip."""

from __future__ import annotations

from typing import Any

from flask import current_app
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
from api.routes.attachments import attachments_dir
from api.routes.attachments import uploads_from_request
from api.schemas.work import DossierIn
from engine.catalogue.attachments import attach
from engine.catalogue.attachments import check_uploads
from engine.dossiers.receive import Submission
from engine.dossiers.receive import submit
from engine.errors import Forbidden
from engine.errors import InvalidData
from engine.queries.procedures import list_procedures
from engine.queries.units import list_units

blp = page_blueprint("pages_reception")

APPLICANT_FIELDS = ("full_name", "id_number", "phone", "address", "email")
DELIVERY_METHODS = (
    ("in_person", "Nhận trực tiếp tại Trung tâm"),
    ("postal", "Qua dịch vụ bưu chính công ích"),
    ("electronic", "Trực tuyến"),
)


def _require_reception() -> None:
    me = actor()
    if not (me.is_admin or me.units_with("reception")):
        raise Forbidden("only reception staff may receive dossiers", role="reception")


def _body(form: Any) -> dict[str, Any]:
    """The flat HTML form as the API's DossierIn body (empty optional fields left out)."""
    applicant = {
        key: form.get(f"applicant.{key}", "").strip()
        for key in APPLICANT_FIELDS
        if form.get(f"applicant.{key}", "").strip() or key in ("full_name", "id_number")
    }
    data = {"delivery_method": form.get("delivery_method", "in_person")}
    if form.get("delivery_address", "").strip():
        data["delivery_address"] = form["delivery_address"].strip()
    body: dict[str, Any] = {
        "procedure_code": form.get("procedure_code", ""),
        "channel": form.get("channel", "in_person"),
        "applicant": applicant,
        "data": data,
    }
    if form.get("unit"):
        body["unit"] = form["unit"]
    return body


def _render(values: dict[str, Any], errors: dict[str, list[str]], status: int = 200) -> Any:
    me = actor()
    with read_session() as session:
        procedures = list_procedures(session)
        units = [u for u in list_units(session) if u.kind != "province"]
    own = {u.code for u in units if u.id in me.units_with("reception")}
    return render_template(
        "reception.html",
        procedures=procedures,
        units=units,
        own_units=own,
        values=values,
        errors=errors,
        delivery_methods=DELIVERY_METHODS,
    ), status


@blp.get("/reception")
def desk() -> Any:
    _require_reception()
    return _render({"channel": "in_person", "delivery_method": "in_person"}, {})


@blp.post("/reception")
def receive() -> Any:
    _require_reception()
    values = request.form.to_dict()
    uploads = uploads_from_request()
    try:
        args = load_form(DossierIn(), _body(request.form))
        check_uploads(uploads, max_bytes=current_app.config["ATTACHMENT_MAX_BYTES"])
        with new_uow() as uow:
            dossier = submit(uow, actor(), Submission(**args))
    except InvalidData as error:
        return _render(values, error.errors, 422)
    if uploads:
        with new_uow() as uow:
            attach(
                uow,
                actor(),
                dossier.id,
                uploads=uploads,
                folder=attachments_dir(),
                max_bytes=current_app.config["ATTACHMENT_MAX_BYTES"],
            )
    flash(f"{translate('Đã tiếp nhận hồ sơ')} {dossier.code}.", "success")
    return redirect(url_for("pages_dossiers.show", dossier_id=dossier.id, received=1))
