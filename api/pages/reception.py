"""The reception desk: receive a walk-in dossier with its documents, then print the slip."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
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
from engine.catalogue.attachments import Upload
from engine.catalogue.attachments import attach
from engine.catalogue.attachments import check_uploads
from engine.dossiers.receive import Submission
from engine.dossiers.receive import submit
from engine.errors import Forbidden
from engine.errors import InvalidData
from engine.queries.answers import reception_forms
from engine.queries.dossiers import same_day_dossiers
from engine.queries.procedures import list_procedures
from engine.queries.units import list_units
from engine.rules.forms import today_in_vietnam
from engine.store.db import utcnow
from engine.texts import N_

blp = page_blueprint("pages_reception")

APPLICANT_FIELDS = ("full_name", "id_number", "phone", "address", "email")
DELIVERY_METHODS = (
    ("in_person", N_("Nhận trực tiếp tại Trung tâm")),
    ("postal", N_("Qua dịch vụ bưu chính công ích")),
    ("electronic", N_("Trực tuyến")),
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
    data: dict[str, Any] = {"delivery_method": form.get("delivery_method", "in_person")}
    if form.get("delivery_address", "").strip():
        data["delivery_address"] = form["delivery_address"].strip()
    papers = _papers_received(form)
    if papers:
        data["documents"] = papers
    data.update(_reception_answers(form))
    body: dict[str, Any] = {
        "procedure_code": form.get("procedure_code", ""),
        "channel": form.get("channel", "in_person"),
        "applicant": applicant,
        "data": data,
    }
    if form.get("unit"):
        body["unit"] = form["unit"]
    return body


PAPER_KINDS = {
    "original": N_("Bản chính"),
    "copy": N_("Bản sao"),
    "either": N_("Bản chính hoặc bản sao"),
}
"""How the receipt (form 01) names a paper's kind."""


def _reception_answers(form: Any) -> dict[str, Any]:
    """The chosen procedure's reception form, as typed (`data.<code>.<key>`; empty left out)."""
    prefix = f"data.{form.get('procedure_code', '')}."
    return {
        key.removeprefix(prefix): value.strip()
        for key, value in form.items()
        if key.startswith(prefix) and value.strip()
    }


def _papers_received(form: Any) -> list[dict[str, Any]]:
    """The chosen procedure's papers the clerk ticked on the checklist, as the receipt lists
    them: name, kind, count (`paper.<code>` carries `index|count`, of that procedure only)."""
    code = form.get("procedure_code", "")
    with read_session() as session:
        found = [p for p in list_procedures(session) if p.code == code]
    if not found:
        return []
    listed = found[0].required_documents
    papers = []
    for value in form.getlist(f"paper.{code}"):
        index, _, count = value.partition("|")
        if index.isdigit() and int(index) < len(listed):
            paper = listed[int(index)]
            papers.append(
                {
                    "name": paper["name"],
                    "kind": PAPER_KINDS.get(paper.get("kind", "copy"), ""),
                    "quantity": int(count) if count.isdigit() else paper.get("count", 1),
                }
            )
    return papers


def _render(
    values: dict[str, Any],
    errors: dict[str, list[str]],
    status: int = 200,
    staged: list[Staged] | None = None,
) -> Any:
    me = actor()
    with read_session() as session:
        procedures = list_procedures(session)
        units = [u for u in list_units(session) if u.kind != "province"]
        asked = reception_forms(session)
    own = {u.code for u in units if u.id in me.units_with("reception")}
    return render_template(
        "reception.html",
        procedures=procedures,
        units=units,
        own_units=own,
        values=values,
        errors=errors,
        delivery_methods=DELIVERY_METHODS,
        staged=staged or [],
        paper_kinds=PAPER_KINDS,
        reception_forms=asked,
        today=today_in_vietnam().isoformat(),
        values_list=lambda key: request.form.getlist(key) if request.method == "POST" else [],
    ), status


@blp.get("/reception")
def desk() -> Any:
    _require_reception()
    return _render({"channel": "in_person", "delivery_method": "in_person"}, {})


@blp.post("/reception")
def receive() -> Any:
    _require_reception()
    values = request.form.to_dict()
    max_bytes = current_app.config["ATTACHMENT_MAX_BYTES"]
    uploads = uploads_from_request()
    staged = _kept_staged()
    try:
        args = load_form(DossierIn(), _body(request.form))
        check_uploads(uploads, max_bytes=max_bytes)
        ticked = bool(args.get("data", {}).get("documents"))
        _confirmations(args, has_documents=bool(uploads or staged or ticked))
        with new_uow() as uow:
            dossier = submit(uow, actor(), Submission(**args))
    except InvalidData as error:
        kept = staged + _stage([u for u in uploads if _acceptable(u, max_bytes)])
        return _render(values, error.errors, 422, staged=kept)
    uploads = uploads + [item.upload() for item in staged]
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
    _discard_staged(staged)
    flash(translate("Đã tiếp nhận hồ sơ {code}.").format(code=dossier.code), "success")
    return redirect(url_for("pages_dossiers.show", dossier_id=dossier.id, received=1))


NO_DOCUMENTS = (
    "Chưa có giấy tờ nào: tải lên giấy tờ, hoặc đánh dấu “Tiếp nhận không kèm giấy tờ” "
    "(no document: upload one, or confirm receiving without documents)."
)
SAME_DAY = (
    "Hôm nay người này đã nộp hồ sơ {codes} cho thủ tục này. Đánh dấu “Vẫn tiếp nhận” nếu đây "
    "là hồ sơ khác (the same person filed this procedure today)."
)


def _confirmations(args: dict[str, Any], *, has_documents: bool) -> None:
    """What a counter clerk must confirm before a dossier is received: no papers at all, or the
    same person filing the same procedure again today."""
    errors: dict[str, list[str]] = {}
    if not has_documents and not request.form.get("confirm_no_documents"):
        errors["files"] = [translate(NO_DOCUMENTS)]
    if not request.form.get("confirm_duplicate"):
        with read_session() as session:
            earlier = same_day_dossiers(
                session,
                procedure_code=args["procedure_code"],
                id_number=args["applicant"]["id_number"],
                now=utcnow(),
            )
        if earlier:
            errors["duplicate"] = [translate(SAME_DAY).format(codes=", ".join(earlier))]
    if errors:
        raise InvalidData("confirm before receiving", errors)


@dataclass(frozen=True)
class Staged:
    """A document chosen on a form that was sent back: kept on disk for this user's next try,
    so a refused form never loses the files (a browser cannot refill a file input)."""

    token: str
    filename: str
    label: str
    size: int

    def path(self) -> Path:
        return attachments_dir() / STAGING_FOLDER / self.token

    def upload(self) -> Upload:
        label = request.form.get(f"staged_label.{self.token}", self.label).strip()
        return Upload(filename=self.filename, content=self.path().read_bytes(), label=label)


STAGING_FOLDER = "staged"
STAGED_KEY = "reception_staged"


def _acceptable(upload: Upload, max_bytes: int) -> bool:
    try:
        check_uploads([upload], max_bytes=max_bytes)
    except InvalidData:
        return False
    return True


def _stage(uploads: list[Upload]) -> list[Staged]:
    _purge_old_staged()
    kept = []
    for upload in uploads:
        item = Staged(secrets.token_urlsafe(16), upload.filename, upload.label, len(upload.content))
        item.path().parent.mkdir(parents=True, exist_ok=True)
        item.path().write_bytes(upload.content)
        kept.append(item)
    known = session.get(STAGED_KEY, {})
    known.update({item.token: [item.filename, item.label, item.size] for item in kept})
    session[STAGED_KEY] = known
    return kept


STAGED_FOR = timedelta(days=1)
"""A document staged for a form nobody sent again is removed after this long."""


def _purge_old_staged() -> None:
    folder = attachments_dir() / STAGING_FOLDER
    if not folder.is_dir():
        return
    oldest = (utcnow() - STAGED_FOR).timestamp()
    for path in folder.iterdir():
        if path.stat().st_mtime < oldest:
            path.unlink(missing_ok=True)


def _kept_staged() -> list[Staged]:
    """The staged documents the form sends back ticked, of this user's session only."""
    known = session.get(STAGED_KEY, {})
    kept = []
    for token in request.form.getlist("staged"):
        if token in known:
            item = Staged(token, *known[token])
            if item.path().is_file():
                kept.append(item)
    return kept


def _discard_staged(received: list[Staged]) -> None:
    known = session.get(STAGED_KEY, {})
    for item in received:
        item.path().unlink(missing_ok=True)
        known.pop(item.token, None)
    session[STAGED_KEY] = known
