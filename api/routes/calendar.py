"""The working-day calendar: when a limit counted from a given moment runs out."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.routes import Blueprint
from api.schemas.calendar import DueOut
from api.schemas.calendar import DueQuery
from engine.rules.calendar import limit_due_at

blp = Blueprint(
    "calendar",
    __name__,
    url_prefix="/api/v1/calendar",
    description="Lịch làm việc và thời hạn (working-day calendar and deadlines)",
)


@blp.route("/due")
class Due(MethodView):
    @blp.arguments(DueQuery, location="query")
    @blp.response(200, DueOut)
    @blp.alt_response(401, description="not logged in")
    @blp.alt_response(422, description="bad start time, or not exactly one of working_days/hours")
    def get(self, args: dict[str, Any]) -> Any:
        """Compute a due time from a start time and a limit in working days or working hours

        Working days skip weekends, public holidays and swapped days off, and count make-up
        Saturdays; 0 working days means the same day when received before 15:00 on a working
        day. Working hours run inside office hours only.
        """
        return {"due_at": limit_due_at(args["start"], args["amount"], args["unit"])}
