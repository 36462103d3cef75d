"""The deadline calculator's query and answer."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import post_load
from marshmallow import validate
from marshmallow import validates_schema

from api.schemas.base import LocalDateTime
from api.schemas.base import StrictSchema
from engine.rules.calendar import DAYS
from engine.rules.calendar import HOURS
from engine.rules.calendar import LOCAL_TZ
from engine.rules.calendar import MAX_DAYS
from engine.rules.calendar import MAX_HOURS

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
ONE_OF = "Cho đúng một trong hai: working_days hoặc hours (give exactly one)."


class DueQuery(StrictSchema):
    start = fields.AwareDateTime(
        required=True,
        default_timezone=LOCAL_TZ,
        validate=validate.Range(
            min=EARLIEST, max=LATEST, error="Thời điểm từ năm 2000 đến năm 2099."
        ),
        metadata={
            "description": "ISO 8601 receipt time; without an offset it is read as Vietnam time",
            "example": "2026-02-13T10:00:00+07:00",
        },
    )
    working_days = fields.Integer(
        validate=validate.Range(min=0, max=MAX_DAYS),
        metadata={"description": "working days after the day of receipt; 0 = same day (15:00)"},
    )
    hours = fields.Integer(
        validate=validate.Range(min=1, max=MAX_HOURS),
        metadata={"description": "working hours inside office hours (instead of working_days)"},
    )

    @validates_schema
    def _exactly_one_limit(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if ("working_days" in data) == ("hours" in data):
            raise ValidationError({"working_days": [ONE_OF], "hours": [ONE_OF]})

    @post_load
    def _as_limit(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        if "working_days" in data:
            return {"start": data["start"], "amount": data["working_days"], "unit": DAYS}
        return {"start": data["start"], "amount": data["hours"], "unit": HOURS}


class DueOut(Schema):
    due_at = LocalDateTime(
        required=True,
        metadata={
            "description": "deadline in Vietnam time (+07:00)",
            "example": "2026-02-23T17:00:00+07:00",
        },
    )
