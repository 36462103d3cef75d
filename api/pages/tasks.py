"""The task page: the dossier, its documents, history and diagram, the step's form, and the
commands on the task (claim, release, reassign, complete)."""

from __future__ import annotations

import json
from typing import Any

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from api.audit_trail import record_read
from api.database import new_uow
from api.database import read_session
from api.pages.common import actor
from api.pages.common import in_language
from api.pages.common import load_form
from api.pages.common import page_blueprint
from api.pages.common import role_label
from api.pages.i18n import translate
from api.schemas.work import CompleteIn
from api.schemas.work import ReassignIn
from api.schemas.work import ReleaseIn
from engine.access.roles import ROLE_LABELS
from engine.dossiers.delivery import ADDRESS_KEYS
from engine.errors import Conflict
from engine.errors import Forbidden
from engine.errors import InvalidData
from engine.errors import WorkflowIncident
from engine.people import audit
from engine.queries.tasks import due_state
from engine.queries.workspace import task_page
from engine.rules import forms
from engine.store.db import utcnow
from engine.texts import N_
from engine.work import incident_commands
from engine.work import tasks

blp = page_blueprint("pages_tasks")


def render_task(
    task_id: int,
    *,
    status: int = 200,
    form_data: dict[str, Any] | None = None,
    form_errors: dict[str, list[str]] | None = None,
    panel: str | None = None,
    panel_values: dict[str, Any] | None = None,
    panel_errors: dict[str, list[str]] | None = None,
) -> tuple[str, int]:
    """The page; after a refused form, with what the user typed and the messages per field."""
    with read_session() as session:
        page = task_page(session, actor(), task_id)
    record_read(
        audit.TASK_VIEWED, dossier_id=page.dossier.id, target_type="task", target_id=task_id
    )
    now = utcnow()
    schema = page.task.form
    fields = forms.parse_form(json.dumps(schema)) if schema else []
    if form_data is None and page.task.data is not None:  # a done step, as it was filled in
        form_data = page.task.data
    if form_data is None:  # what the dossier already says (e.g. the delivery chosen at reception)
        form_data = {f.key: page.dossier.data[f.key] for f in fields if f.key in page.dossier.data}
        address = next(
            (page.dossier.data[k] for k in ADDRESS_KEYS if page.dossier.data.get(k)), None
        )
        for field in fields:  # the postal address taken at reception, whatever the form calls it
            if field.key in ADDRESS_KEYS and address and not form_data.get(field.key):
                form_data[field.key] = address
    form_payload = {
        "schema": schema,
        "data": form_data,
        "errors": {
            key: [in_language(message) for message in messages]
            for key, messages in (form_errors or {}).items()
        },
        "readonly": not page.can.work,
        "diagram_url": url_for("tasks.Diagram", task_id=task_id),
        "element_id": page.task.element_id,
        "lane_labels": {role: role_label(role) for role in ROLE_LABELS},
    }
    html = render_template(
        "task.html",
        field_labels={field.key: field.label for field in fields},
        page=page,
        task=page.task,
        dossier=page.dossier,
        due=due_state(page.task.due_at, now),
        form_payload=form_payload,
        form_errors=form_errors or {},
        actions=page.actions,
        panel=panel,
        panel_values=panel_values or {},
        panel_errors=panel_errors or {},
    )
    return html, status


@blp.get("/tasks/<int:task_id>")
def show(task_id: int) -> Any:
    return render_task(task_id)


def _after_command(task_id: int, message: str) -> Any:
    flash(translate(message), "success")
    return redirect(url_for("pages_tasks.show", task_id=task_id))


def _refused(task_id: int, error: Exception) -> Any:
    flash(getattr(error, "detail", str(error)), "error")
    return redirect(url_for("pages_tasks.show", task_id=task_id))


@blp.post("/tasks/<int:task_id>/claim")
def claim(task_id: int) -> Any:
    try:
        with new_uow() as uow:
            tasks.claim(uow, actor(), task_id)
    except (Conflict, Forbidden) as error:
        return _refused(task_id, error)
    if request.form.get("next") == "inbox":
        flash(translate("Đã nhận việc."), "success")
        return redirect(url_for("pages_inbox.inbox", tab="mine"))
    return _after_command(task_id, N_("Đã nhận việc."))


@blp.post("/tasks/<int:task_id>/release")
def release(task_id: int) -> Any:
    args = load_form(ReleaseIn(), {"note": request.form.get("note", "")})
    try:
        with new_uow() as uow:
            tasks.release(uow, actor(), task_id, note=args["note"])
    except (Conflict, Forbidden) as error:
        return _refused(task_id, error)
    return _after_command(task_id, N_("Đã trả việc về hàng đợi."))


@blp.post("/tasks/<int:task_id>/reassign")
def reassign(task_id: int) -> Any:
    values = {"assignee": request.form.get("assignee", ""), "note": request.form.get("note", "")}
    try:
        args = load_form(ReassignIn(), values)
        with new_uow() as uow:
            tasks.reassign(uow, actor(), task_id, assignee=args["assignee"], note=args["note"])
    except InvalidData as error:
        return render_task(
            task_id, status=422, panel="reassign", panel_values=values, panel_errors=error.errors
        )
    except (Conflict, Forbidden) as error:
        return _refused(task_id, error)
    return _after_command(task_id, N_("Đã chuyển việc."))


def _submitted_data() -> Any:
    """The form-js data the page's script put in the hidden `data` field, as JSON."""
    raw = request.form.get("data", "")
    try:
        return json.loads(raw) if raw else {}
    except json.JSONDecodeError as exc:
        raise InvalidData("the form data is not JSON", {"data": ["Dữ liệu không hợp lệ."]}) from exc


def _incident_message(error: WorkflowIncident) -> str:
    """What a clerk reads when the diagram fails under their step: what happened and that it is
    in hand, with the incident's number; the engine's own words only for those who fix it."""
    text = translate("Quy trình gặp sự cố, đã báo quản trị viên; bước chưa được hoàn thành.")
    number = getattr(error, "incident_id", None)
    if number:
        text += " " + translate("Sự cố số {number}.").format(number=number)
    me = actor()
    if me.is_admin or me.holds_anywhere("designer"):
        text += f" ({error.detail})"
    else:
        text += " " + translate("Dữ liệu bạn nhập vẫn được giữ; có thể hoàn thành lại sau.")
    return text


@blp.post("/tasks/<int:task_id>/complete")
def complete(task_id: int) -> Any:
    data: Any = {}
    try:
        data = _submitted_data()
        args = load_form(CompleteIn(), {"data": data})
        opened = incident_commands.complete_task(new_uow, actor(), task_id, args["data"])
    except InvalidData as error:
        kept = data if isinstance(data, dict) else {}
        return render_task(task_id, status=422, form_data=kept, form_errors=error.errors)
    except WorkflowIncident as error:  # recorded for the admins; the user's input stays
        flash(_incident_message(error), "error")
        kept = data if isinstance(data, dict) else {}
        return render_task(task_id, status=409, form_data=kept)
    except (Conflict, Forbidden) as error:
        return _refused(task_id, error)
    message = translate("Đã hoàn thành bước xử lý.")
    if opened:
        steps = ", ".join(f"{t.name} ({t.unit.name})" for t in opened)
        message += " " + translate("Các bước tiếp theo: {steps}.").format(steps=steps)
    flash(message, "success")
    return redirect(url_for("pages_inbox.inbox"))
