"""A procedure's bottlenecks for leaders and designers (/analytics/procedures/<code>): the heat
map on the diagram with its legend, the slowest steps, the open queues, the simplification
hints and the versions side by side; and the what-if of its draft. The same engine functions as
/api/v1/procedures/<code>/heatmap, /versions/compare, /hints and /draft/simulate."""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask import request
from marshmallow import ValidationError

from api.database import read_session
from api.pages.common import actor
from api.pages.common import flatten_errors
from api.pages.common import label
from api.pages.common import page_blueprint
from api.pages.common import role_label
from api.schemas.bottlenecks import HeatmapOut
from api.schemas.bottlenecks import HeatmapQuery
from api.schemas.bottlenecks import SimulateIn
from engine.access.roles import ROLE_LABELS
from engine.analytics.before_after import VersionFigures
from engine.analytics.before_after import compare_versions
from engine.analytics.heatmap import heatmap
from engine.analytics.hints import hints
from engine.analytics.simulation import draft_steps
from engine.analytics.simulation import simulate_draft
from engine.analytics.step_rows import procedure_versions
from engine.errors import InvalidData
from engine.errors import NotFound

blp = page_blueprint("pages_bottlenecks")
HINT_LABELS = {
    "rarely_changes_outcome": (
        "Bước hầu như không đổi kết quả",
        "Step that rarely changes the outcome",
    ),
    "run_in_parallel": ("Có thể làm song song", "Could run in parallel"),
    "staffing": ("Chờ lâu hơn làm: thiếu người", "Waiting dwarfs working: staffing"),
}
MODEL_LABELS = {
    "queue": ("Mô hình hàng đợi theo số người", "Queue model by staff"),
    "observed": ("Mô hình thời gian thực tế của bước", "Observed step times model"),
}
MODEL_NOTES = {
    "queue": (
        "Mỗi bước chờ người của vai trò trong đơn vị rồi mất thời gian xử lý thực tế: thấy được "
        "tác động của số người, bỏ qua việc của thủ tục khác.",
        "Each step waits for its role's staff in the unit, then takes a real working time: shows "
        "the effect of staffing, leaves out other procedures' work.",
    ),
    "observed": (
        "Mỗi bước mất đúng tổng thời gian thực tế (cả chờ), không giới hạn người: giữ nhịp thực "
        "tế, không thấy tác động của số người.",
        "Each step takes its whole real time (waiting included), staff unlimited: keeps the real "
        "pace, cannot show the effect of staffing.",
    ),
}
APPROXIMATION_LABELS = {
    "boundary_events_ignored": (
        "Sự kiện biên (hẹn giờ nhắc, chuyển cấp) không được mô phỏng.",
        "Boundary events (reminders, escalations) are not simulated.",
    ),
    "subprocesses_take_no_time": (
        "Quy trình con được tính như một bước không tốn thời gian.",
        "Sub-processes count as one step taking no time.",
    ),
    "inclusive_gateways_take_one_branch": (
        "Cổng bao hàm được mô phỏng như chọn một nhánh.",
        "Inclusive gateways are simulated as taking one branch.",
    ),
    "timers_count_working_hours": (
        "Hẹn giờ trung gian được tính theo giờ làm việc (một ngày = một ngày làm việc).",
        "Intermediate timers count working hours (a day = one office day).",
    ),
    "timers_without_literal_duration_take_no_time": (
        "Hẹn giờ không ghi thời lượng cố định được tính bằng không.",
        "Timers without a literal duration take no time.",
    ),
    "message_waits_take_no_time": (
        "Chờ thông điệp được tính bằng không.",
        "Waiting for a message takes no time.",
    ),
}


@blp.get("/analytics/procedures/<string:code>")
def procedure_bottlenecks(code: str) -> Any:
    errors: dict[str, list[str]] = {}
    try:
        query = HeatmapQuery().load(request.args.to_dict())
    except ValidationError as error:
        errors = flatten_errors(error.messages)
        query = {}
    try:
        figures = _figures(code, query)
    except InvalidData as error:
        errors = error.errors or {"to": [error.detail]}
        figures = _figures(code, {})
    found, versions, advice, numbers = figures
    return render_template(
        "bottlenecks.html",
        code=code,
        heat=found,
        heat_json=HeatmapOut().dump(found)
        | {"bpmn_xml": found.bpmn_xml, "lane_labels": _lane_labels()},
        versions=versions,
        steps_by_version=_steps_by_version(versions),
        version_numbers=numbers,
        hints=advice,
        query=request.args,
        errors=errors,
        hint_label=lambda kind: label(HINT_LABELS.get(kind), kind),
        role_label=role_label,
    ), (422 if errors else 200)


def _lane_labels() -> dict[str, str]:
    """Lanes are named by role ids in the diagram: the page shows each role as people call it."""
    return {role: role_label(role) for role in ROLE_LABELS}


def _steps_by_version(versions: list[VersionFigures]) -> list[tuple[str, list[Any]]]:
    """Each step once (by element id), with its median total per version; "absent" where the
    version has no such step."""
    names: dict[str, str] = {}
    for version in versions:
        for step in version.steps:
            names.setdefault(step.element_id, step.name)
    by_version = [{step.element_id: step for step in version.steps} for version in versions]
    return [
        (
            name,
            [
                found[element_id].total.median if element_id in found else "absent"
                for found in by_version
            ],
        )
        for element_id, name in names.items()
    ]


def _figures(code: str, query: dict[str, Any]) -> tuple[Any, Any, Any, list[int]]:
    """The heat map, the versions side by side and the hints, over the same period."""
    period = {key: query[key] for key in ("start", "end") if key in query}
    with read_session() as session:
        _, rows = procedure_versions(session, code)
        return (
            heatmap(session, actor(), code, **query),
            compare_versions(session, actor(), code, **period),
            hints(session, actor(), code, **query),
            [row.number for row in rows],
        )


@blp.route("/analytics/procedures/<string:code>/what-if", methods=["GET", "POST"])
def what_if(code: str) -> Any:
    """The form lists the draft's steps; new ones take an estimate. POST runs the simulation."""
    current = actor()
    with read_session() as session:
        try:
            steps = draft_steps(session, current, code)
        except NotFound:
            procedure_versions(session, code)  # no such procedure: the 404 page
            return render_template("what_if.html", code=code, steps=None, result=None), 404
    values: dict[str, Any] = request.form.to_dict() if request.method == "POST" else {}
    result, errors = None, {}
    if request.method == "POST":
        body = {
            "months": values.get("months") or 3,
            "runs": values.get("runs") or 10,
            "estimates": {
                step.element_id: values[f"estimate.{step.element_id}"]
                for step in steps
                if values.get(f"estimate.{step.element_id}")
            },
        }
        try:
            loaded = SimulateIn().load(body)
            with read_session() as session:
                result = simulate_draft(session, current, code, **loaded)
        except ValidationError as error:
            errors = flatten_errors(error.messages)
        except InvalidData as error:
            errors = error.errors
    return render_template(
        "what_if.html",
        code=code,
        steps=steps,
        values=values,
        errors=errors,
        result=result,
        role_label=role_label,
        approximation_label=lambda key: label(APPROXIMATION_LABELS.get(key), key),
        model_label=lambda key: label(MODEL_LABELS.get(key), key),
        model_note=lambda key: label(MODEL_NOTES.get(key), ""),
    ), (422 if errors else 200)
