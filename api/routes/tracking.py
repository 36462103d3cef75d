from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.auth import client
from api.auth import lookup_policy
from api.database import new_uow
from api.routes import Blueprint
from api.schemas.lifecycle import TrackingOut
from api.schemas.lifecycle import TrackingQuery
from engine.dossiers.lookup import track_guarded

blp = Blueprint(
    "tracking", __name__, url_prefix="/api/v1/tracking", description="Tra cứu hồ sơ (tracking)"
)


@blp.route("")
class Tracking(MethodView):
    @blp.arguments(TrackingQuery, location="query")
    @blp.response(200, TrackingOut)
    @blp.alt_response(404, description="no dossier with this code and key")
    @blp.alt_response(
        429,
        description="too many wrong codes or keys from this address lately; the Retry-After "
        "header says in how many seconds to try again",
    )
    def get(self, args: dict[str, Any]) -> Any:
        """Track a dossier by its code and lookup key, without logging in"""
        with new_uow() as uow:
            return track_guarded(uow, client().ip, lookup_policy(), **args)
