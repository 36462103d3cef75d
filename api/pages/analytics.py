"""The leaders' dashboard (/analytics) and the dossiers behind a figure: the same schemas and
engine functions as /api/v1/stats, rendered."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from flask import current_app
from flask import render_template
from flask import request

from api.database import read_session
from api.pages.common import actor
from api.pages.common import load_form
from api.pages.common import page_blueprint
from api.pages.i18n import translate
from api.routes.stats import scope_of
from api.schemas.stats import FigureQuery
from api.schemas.stats import ScopeQuery
from api.stats_tables import PROCEDURE_COLUMNS
from api.stats_tables import procedures_table
from engine.analytics.dashboard import by_procedure
from engine.analytics.dashboard import dossiers_behind
from engine.analytics.dashboard import stats
from engine.analytics.dashboard import take
from engine.analytics.figures import FIGURES
from engine.analytics.figures import LABELS_VI
from engine.analytics.scope import choices
from engine.analytics.service_index import service_index
from engine.analytics.trends import MONTH
from engine.analytics.trends import WEEK
from engine.analytics.trends import trend
from engine.errors import BadQuery
from engine.errors import InvalidData
from engine.rules.calendar import LOCAL_TZ
from engine.texts import N_

blp = page_blueprint("pages_analytics")
SCOPE_KEYS = ("unit", "field", "procedure", "from", "to")
PER_PAGE = 20


def periods(today: date) -> dict[str, tuple[date, date]]:
    """The quick picks: this month (the default), last month, this year; `to` is exclusive."""
    month = today.replace(day=1)
    next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    last_month = (month - timedelta(days=1)).replace(day=1)
    year = today.replace(month=1, day=1)
    return {
        "this_month": (month, next_month),
        "last_month": (last_month, month),
        "this_year": (year, year.replace(year=year.year + 1)),
    }


def _scope_args(schema: ScopeQuery) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The filters asked for, this month when no period is given; bad ones are reported and
    replaced by the defaults rather than shown as an empty dashboard."""
    raw = {key: request.args[key] for key in SCOPE_KEYS if request.args.get(key)}
    start, end = periods(datetime.now(LOCAL_TZ).date())["this_month"]
    if "from" not in raw and "to" not in raw:
        raw.update({"from": start.isoformat(), "to": end.isoformat()})
    extra = {k: request.args[k] for k in ("figure", "page") if k in request.args}
    try:
        return load_form(schema, {**raw, **extra}), {}
    except InvalidData as error:
        defaults = {"from": start.isoformat(), "to": end.isoformat()}
        fallback = {k: v for k, v in extra.items() if k == "figure"}
        try:
            return load_form(schema, {**defaults, **fallback}), error.errors
        except InvalidData:
            return load_form(ScopeQuery(), defaults), error.errors


def query_of(args: dict[str, Any], **more: Any) -> str:
    """The scope as a query string (for links to figures and downloads)."""
    pairs = {
        "unit": args.get("unit"),
        "field": args.get("field"),
        "procedure": args.get("procedure"),
        "from": args.get("date_from"),
        "to": args.get("date_to"),
        **more,
    }
    return urlencode({k: v for k, v in pairs.items() if v not in (None, "")})


@blp.get("/analytics")
def dashboard() -> Any:
    args, errors = _scope_args(ScopeQuery())
    try:
        found = _dashboard(args)
    except BadQuery as error:  # a unit, field or procedure code that names nothing
        today = datetime.now(LOCAL_TZ).date()
        start, end = periods(today)["this_month"]
        args, errors = {"date_from": start, "date_to": end}, error.errors
        found = _dashboard(args)
    today = datetime.now(LOCAL_TZ).date()
    return render_template(
        "analytics.html",
        args=args,
        errors=errors,
        labels=LABELS_VI,
        procedure_table=procedures_table(found["procedures"], translate),
        procedure_columns=PROCEDURE_COLUMNS,
        figure_names=FIGURES,
        procedure_queries={
            item.code: query_of({**args, "procedure": item.code}) for item in found["procedures"]
        },
        picks={
            key: query_of({**args, "date_from": a, "date_to": b})
            for key, (a, b) in periods(today).items()
        },
        query=query_of(args),
        **found,
    )


def _dashboard(args: dict[str, Any]) -> dict[str, Any]:
    scope = scope_of(args)
    formula = str(current_app.config["ON_TIME_FORMULA"])
    with read_session() as session:
        shot = take(session, actor(), scope)
        options = choices(session, actor())
        figures = stats(shot, formula=formula)
        procedures = by_procedure(session, shot, formula=formula)
        index = service_index(session, shot)
        weeks, months = trend(shot, by=WEEK), trend(shot, by=MONTH)
    return {
        "options": options,
        "figures": figures.as_dict(),
        "procedures": procedures,
        "index": index,
        "trends": {
            "week": [_point(p) for p in weeks],
            "month": [_point(p) for p in months],
            "labels": {
                "received": translate("Đã tiếp nhận"),
                "settled": translate("Đã giải quyết"),
                "rate": translate("Tỷ lệ đúng hạn (%)"),
            },
        },
    }


def _point(point: Any) -> dict[str, Any]:
    return {
        "start": point.start.isoformat(),
        "received": point.received,
        "settled": point.settled,
        "rate": point.on_time_rate,
    }


@blp.get("/analytics/dossiers")
def figure_dossiers() -> Any:
    args, errors = _scope_args(FigureQuery())
    if "figure" not in args:
        page = render_template(
            "error.html",
            title=N_("Yêu cầu không hợp lệ"),
            text=N_("Chỉ số này không có danh sách hồ sơ. Hãy chọn một số trên trang số liệu."),
            detail=None,
            status_code=400,
        )
        return page, 400
    page = int(args["page"])
    with read_session() as session:
        found = dossiers_behind(
            session,
            take(session, actor(), scope_of(args)),
            figure=args["figure"],
            offset=(page - 1) * PER_PAGE,
            limit=PER_PAGE,
        )
    return render_template(
        "analytics_dossiers.html",
        args=args,
        errors=errors,
        found=found,
        label=LABELS_VI[found.figure],
        page=page,
        pages=max(1, -(-found.total // PER_PAGE)),
        query=query_of(args),
    )
