from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.database import read_session
from api.routes import Blueprint
from api.schemas.lifecycle import TrackingOut
from api.schemas.lifecycle import TrackingQuery
from engine.lookup import track

blp = Blueprint(
    "tracking", __name__, url_prefix="/api/v1/tracking", description="Tra cứu hồ sơ (tracking)"
)


@blp.route("")
class Tracking(MethodView):
    @blp.arguments(TrackingQuery, location="query")
    @blp.response(200, TrackingOut)
    @blp.alt_response(404, description="no dossier with this code and key")
    def get(self, args: dict[str, Any]) -> Any:
        """Track a dossier by its code and lookup key, without logging in"""
        with read_session() as session:
            return track(session, code=args["code"], key=args["key"])
