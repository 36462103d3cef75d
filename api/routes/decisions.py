"""Decision tables tried as the engine runs them (the studio's "try it" panel)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.auth import current_actor
from api.routes import Blueprint
from api.schemas.decisions import DecisionTrialIn
from api.schemas.decisions import DecisionTrialOut
from engine.access.actors import require_role_anywhere
from engine.bpmn.decisions import try_decision

blp = Blueprint(
    "decisions",
    __name__,
    url_prefix="/api/v1/decisions",
    description="Bảng quyết định (decision tables)",
)


@blp.route("/evaluate")
class EvaluateDecision(MethodView):
    @blp.arguments(DecisionTrialIn)
    @blp.response(200, DecisionTrialOut)
    @blp.alt_response(403, description="not a designer")
    @blp.alt_response(422, description="no such decision, or it fails on these inputs")
    def post(self, args: dict[str, Any]) -> Any:
        """Run a decision table on inputs, as a business rule task would (designers)"""
        require_role_anywhere(current_actor(), "designer")
        files = {name: text.encode() for name, text in args["files"].items()}
        return try_decision(files, args["decision_id"], args["inputs"])
