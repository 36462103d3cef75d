"""Leaders' figures: the dashboard numbers, per procedure, trends, the citizen-service index and
the dossiers behind a figure; every table also as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from flask import current_app
from flask.views import MethodView

from api.auth import current_actor
from api.database import read_session
from api.exports import table_file
from api.exports import wanted_format
from api.routes import Blueprint
from api.schemas.stats import FigureDossiersOut
from api.schemas.stats import FigureQuery
from api.schemas.stats import ProcedureStatsListOut
from api.schemas.stats import ScopeQuery
from api.schemas.stats import ServiceIndexOut
from api.schemas.stats import StatsOut
from api.schemas.stats import TrendOut
from api.schemas.stats import TrendQuery
from api.stats_tables import Table
from api.stats_tables import dossiers_table
from api.stats_tables import figures_table
from api.stats_tables import index_table
from api.stats_tables import procedures_table
from api.stats_tables import trend_table
from engine.analytics.dashboard import by_procedure
from engine.analytics.dashboard import dossiers_behind
from engine.analytics.dashboard import stats
from engine.analytics.dashboard import take
from engine.analytics.scope import Scope
from engine.analytics.service_index import service_index
from engine.analytics.trends import trend

blp = Blueprint(
    "stats",
    __name__,
    url_prefix="/api/v1/stats",
    description="Số liệu cho lãnh đạo (leaders' figures and the citizen-service index)",
)

TABLE = "The table as CSV (`format=csv` or `Accept: text/csv`) or XLSX (`format=xlsx`)"
TABLE_CONTENT = {
    "responses": {
        "200": {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            }
        }
    }
}
MAX_EXPORT_ROWS = 10_000


def scope_of(args: dict[str, Any]) -> Scope:
    return Scope(
        unit=args.get("unit"),
        field=args.get("field"),
        procedure=args.get("procedure"),
        date_from=args.get("date_from"),
        date_to=args.get("date_to"),
    )


def formula() -> str:
    return str(current_app.config["ON_TIME_FORMULA"])


def _errors(view: Any) -> Any:
    view = blp.alt_response(
        400, description="a bad parameter, or a unit or code that names nothing"
    )(view)
    return blp.alt_response(403, description="not a leader of the unit, nor an administrator")(view)


def _answer(args: dict[str, Any], filename: str, table: Callable[[], Table], body: Any) -> Any:
    """The JSON body, or the same numbers as a CSV/XLSX download when the caller asked for one."""
    fmt = wanted_format(args["format"])
    return body if fmt == "json" else table_file(filename, *table(), fmt)


@blp.route("")
class StatsView(MethodView):
    @blp.arguments(ScopeQuery, location="query", error_status_code=400)
    @blp.response(200, StatsOut)
    @blp.doc(**TABLE_CONTENT)
    @_errors
    def get(self, args: dict[str, Any]) -> Any:
        """The dashboard's figures for a unit, field, procedure and period (default: all)"""
        with read_session() as session:
            figures = stats(take(session, current_actor(), scope_of(args)), formula=formula())
        return _answer(args, "so-lieu", lambda: figures_table(figures), figures.as_dict())


@blp.route("/procedures")
class ProcedureStatsView(MethodView):
    @blp.arguments(ScopeQuery, location="query", error_status_code=400)
    @blp.response(200, ProcedureStatsListOut)
    @blp.doc(**TABLE_CONTENT)
    @_errors
    def get(self, args: dict[str, Any]) -> Any:
        """The same figures, procedure by procedure"""
        with read_session() as session:
            shot = take(session, current_actor(), scope_of(args))
            items = by_procedure(session, shot, formula=formula())
        return _answer(
            args,
            "theo-thu-tuc",
            lambda: procedures_table(items),
            {
                "items": [
                    {
                        "code": item.code,
                        "name": item.name,
                        "time_limit_days": item.time_limit_days,
                        "figures": item.figures.as_dict(),
                    }
                    for item in items
                ]
            },
        )


@blp.route("/trend")
class TrendView(MethodView):
    @blp.arguments(TrendQuery, location="query", error_status_code=400)
    @blp.response(200, TrendOut)
    @blp.doc(**TABLE_CONTENT)
    @_errors
    def get(self, args: dict[str, Any]) -> Any:
        """Received, settled and on-time rate week by week or month by month"""
        with read_session() as session:
            points = trend(take(session, current_actor(), scope_of(args)), by=args["by"])
        body = {
            "by": args["by"],
            "items": [{**asdict(p), "on_time_rate": p.on_time_rate} for p in points],
        }
        return _answer(args, f"xu-huong-{args['by']}", lambda: trend_table(points), body)


@blp.route("/index")
class ServiceIndexView(MethodView):
    @blp.arguments(ScopeQuery, location="query", error_status_code=400)
    @blp.response(200, ServiceIndexOut)
    @blp.doc(**TABLE_CONTENT)
    @_errors
    def get(self, args: dict[str, Any]) -> Any:
        """The citizen-service index (Decision 766/QĐ-TTg) as far as our data can feed it"""
        with read_session() as session:
            index = service_index(session, take(session, current_actor(), scope_of(args)))
        return _answer(args, "chi-so-phuc-vu", lambda: index_table(index), index)


@blp.route("/dossiers")
class FigureDossiersView(MethodView):
    @blp.arguments(FigureQuery, location="query", error_status_code=400)
    @blp.response(200, FigureDossiersOut)
    @blp.doc(**TABLE_CONTENT)
    @_errors
    def get(self, args: dict[str, Any]) -> Any:
        """The dossiers behind a figure (figure = a key of /stats), latest received first"""
        fmt = wanted_format(args["format"])
        offset, limit = (args["page"] - 1) * args["per_page"], args["per_page"]
        if fmt != "json":
            offset, limit = 0, MAX_EXPORT_ROWS
        with read_session() as session:
            found = dossiers_behind(
                session,
                take(session, current_actor(), scope_of(args)),
                figure=args["figure"],
                offset=offset,
                limit=limit,
            )
        if fmt != "json":
            return table_file(f"ho-so-{found.figure}", *dossiers_table(found.items), fmt)
        return {**asdict(found), "page": args["page"], "per_page": args["per_page"]}
