"""Dossier lifecycle actions from the task and dossier pages: request a supplement (form 02),
record it, ask for the fee and record its payment, refuse (form 03), apologise with a new date
(form 04), return the result.

Each parses the form with the API's schema and calls the engine function the API route calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app
from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from marshmallow import Schema

from api.config import office_rules
from api.database import new_uow
from api.pages.common import actor
from api.pages.common import load_form
from api.pages.common import page_blueprint
from api.pages.dossiers import back_to
from api.pages.dossiers import render_back
from api.pages.i18n import translate
from api.schemas.lifecycle import ApologyIn
from api.schemas.lifecycle import FeeIn
from api.schemas.lifecycle import FeeRequestIn
from api.schemas.lifecycle import ReasonIn
from api.schemas.lifecycle import ReturnIn
from api.schemas.lifecycle import SupplementIn
from api.schemas.lifecycle import SupplementRequestIn
from engine.dossiers import apologies
from engine.dossiers import delivery
from engine.dossiers import endings
from engine.dossiers import payments
from engine.dossiers import supplements
from engine.errors import Conflict
from engine.errors import Forbidden
from engine.errors import InvalidData
from engine.store.uow import UnitOfWork
from engine.texts import N_

blp = page_blueprint("pages_dossier_actions")

Command = Callable[[UnitOfWork, dict[str, Any]], Any]


def _run(
    dossier_id: int,
    panel: str,
    schema: Schema,
    body: dict[str, Any],
    command: Command,
    done: str,
    *,
    to_dossier: bool = False,
) -> Any:
    """Parse, act, and come back: the same page with messages when refused."""
    values = request.form.to_dict()
    try:
        args = load_form(schema, body)
        with new_uow() as uow:
            command(uow, args)
    except InvalidData as error:
        return render_back(
            dossier_id, status=422, panel=panel, panel_values=values, panel_errors=error.errors
        )
    except (Conflict, Forbidden) as error:
        flash(error.detail, "error")
        return redirect(back_to(dossier_id))
    flash(translate(done), "success")
    if to_dossier:
        return redirect(url_for("pages_dossiers.show", dossier_id=dossier_id))
    return redirect(back_to(dossier_id))


def _text(name: str) -> str:
    return request.form.get(name, "").strip()


@blp.post("/dossiers/<int:dossier_id>/supplement-request")
def request_supplement(dossier_id: int) -> Any:
    items = [line.strip() for line in _text("items").splitlines() if line.strip()]
    return _run(
        dossier_id,
        "request_supplement",
        SupplementRequestIn(),
        {"reason": _text("reason"), "items": items},
        lambda uow, args: supplements.request_supplement(
            uow, actor(), dossier_id, rules=office_rules(current_app.config), **args
        ),
        N_("Đã gửi yêu cầu bổ sung (mẫu 02)."),
        to_dossier=True,
    )


@blp.post("/dossiers/<int:dossier_id>/supplement")
def record_supplement(dossier_id: int) -> Any:
    return _run(
        dossier_id,
        "record_supplement",
        SupplementIn(),
        {"note": _text("note")},
        lambda uow, args: supplements.record_supplement(uow, actor(), dossier_id, **args),
        N_("Đã ghi nhận hồ sơ bổ sung."),
    )


@blp.post("/dossiers/<int:dossier_id>/fee-request")
def request_fee(dossier_id: int) -> Any:
    body = {"reason": _text("reason")} if _text("reason") else {}
    return _run(
        dossier_id,
        "request_fee",
        FeeRequestIn(),
        body,
        lambda uow, args: payments.request_fee(uow, actor(), dossier_id, **args),
        N_("Đã đề nghị nộp phí, lệ phí; thời hạn tạm dừng đến khi nộp."),
    )


@blp.post("/dossiers/<int:dossier_id>/fee")
def record_fee(dossier_id: int) -> Any:
    """The counter records a payment, with its receipt number."""
    body = {"paid": True, "receipt_number": _text("receipt_number")}
    if not body["receipt_number"]:
        body.pop("receipt_number")
    return _run(
        dossier_id,
        "record_fee",
        FeeIn(),
        body,
        lambda uow, args: payments.record_fee(uow, actor(), dossier_id, **args),
        N_("Đã ghi nhận nộp phí, lệ phí."),
    )


@blp.post("/dossiers/<int:dossier_id>/refuse")
def refuse(dossier_id: int) -> Any:
    return _run(
        dossier_id,
        "refuse",
        ReasonIn(),
        {"reason": _text("reason")},
        lambda uow, args: endings.refuse(uow, actor(), dossier_id, **args),
        N_("Đã từ chối hồ sơ (mẫu 03)."),
        to_dossier=True,
    )


@blp.post("/dossiers/<int:dossier_id>/apology")
def apology(dossier_id: int) -> Any:
    """The new date is a day; the result is due at the close of office that day (Vietnam time)."""
    day = _text("new_due_date")
    body = {"reason": _text("reason"), "new_due_at": f"{day}T17:00:00+07:00" if day else ""}
    return _run(
        dossier_id,
        "issue_apology",
        ApologyIn(),
        body,
        lambda uow, args: apologies.issue_apology(
            uow, actor(), dossier_id, rules=office_rules(current_app.config), **args
        ),
        N_("Đã gửi phiếu xin lỗi và hẹn lại (mẫu 04)."),
    )


@blp.post("/dossiers/<int:dossier_id>/return")
def return_result(dossier_id: int) -> Any:
    body = {"method": _text("method")}
    for key in ("tracking_number", "address"):
        if _text(key):
            body[key] = _text(key)
    return _run(
        dossier_id,
        "return_result",
        ReturnIn(),
        body,
        lambda uow, args: delivery.return_result(uow, actor(), dossier_id, **args),
        N_("Đã ghi nhận trả kết quả."),
        to_dossier=True,
    )
