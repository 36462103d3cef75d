"""Bottlenecks of a procedure: heat map, before/after, hints and what-if (issue 19)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.auth import current_actor
from api.database import read_session
from api.routes import Blueprint
from api.schemas.bottlenecks import HeatmapOut
from api.schemas.bottlenecks import HeatmapQuery
from api.schemas.bottlenecks import HintOut
from api.schemas.bottlenecks import PeriodQuery
from api.schemas.bottlenecks import SimulateIn
from api.schemas.bottlenecks import SimulationOut
from api.schemas.bottlenecks import VersionFiguresOut
from engine.analytics.before_after import compare_versions
from engine.analytics.heatmap import heatmap
from engine.analytics.hints import hints
from engine.analytics.simulation import simulate_draft

blp = Blueprint(
    "bottlenecks",
    __name__,
    url_prefix="/api/v1/procedures",
    description="Điểm nghẽn và đơn giản hóa thủ tục (bottlenecks and simplification)",
)


@blp.route("/<string:code>/heatmap")
class Heatmap(MethodView):
    @blp.arguments(HeatmapQuery, location="query")
    @blp.response(200, HeatmapOut)
    @blp.alt_response(404, description="no such procedure or version")
    def get(self, query: dict[str, Any], code: str) -> Any:
        """Per step: count, median and p90 working hours waiting, working and in all (leaders,
        designers)"""
        with read_session() as session:
            return heatmap(session, current_actor(), code, **query)


@blp.route("/<string:code>/versions/compare")
class CompareVersions(MethodView):
    @blp.arguments(PeriodQuery, location="query")
    @blp.response(200, VersionFiguresOut(many=True))
    @blp.alt_response(404, description="no such procedure")
    def get(self, query: dict[str, Any], code: str) -> Any:
        """Before and after: every version side by side, with the change in statutory limit and
        median processing time as percentages (leaders, designers)"""
        with read_session() as session:
            return compare_versions(session, current_actor(), code, **query)


@blp.route("/<string:code>/hints")
class Hints(MethodView):
    @blp.arguments(HeatmapQuery, location="query")
    @blp.response(200, HintOut(many=True))
    @blp.alt_response(404, description="no such procedure or version")
    def get(self, query: dict[str, Any], code: str) -> Any:
        """Simplification hints, ranked by the working hours at stake (leaders, designers)"""
        with read_session() as session:
            return hints(session, current_actor(), code, **query)


@blp.route("/<string:code>/draft/simulate")
class SimulateDraft(MethodView):
    @blp.arguments(SimulateIn)
    @blp.response(200, SimulationOut)
    @blp.alt_response(404, description="no such procedure, or it has no draft")
    @blp.alt_response(422, description="the draft cannot be simulated")
    def post(self, body: dict[str, Any], code: str) -> Any:
        """What-if: the draft's processing time and on-time rate (P10-P90 over seeded runs) and
        the calibration of the current version against what happened (leaders, designers)"""
        with read_session() as session:
            return simulate_draft(session, current_actor(), code, **body)
