"""Query strings and answers of the leaders' figures (/api/v1/stats...)."""

from __future__ import annotations

from datetime import date

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate
from marshmallow import validates_schema

from api.schemas.base import MAX_PAGE
from api.schemas.base import MAX_PER_PAGE
from api.schemas.base import LocalDateTime
from api.schemas.base import StrictSchema
from engine.analytics.figures import CHANNELS
from engine.analytics.figures import FIGURES
from engine.analytics.figures import POINTS
from engine.analytics.trends import MONTH
from engine.analytics.trends import WEEK

EXPORT_FORMATS = ("json", "csv", "xlsx")
DAYS = validate.Range(min=date(2000, 1, 1), max=date(2999, 12, 31))
"""No dossier lies outside; a day near year 1 would not even convert to UTC."""
CODE = validate.Length(min=1, max=60)


class ScopeQuery(StrictSchema):
    unit = fields.String(
        validate=CODE, metadata={"description": "unit code; a province includes its communes"}
    )
    field = fields.String(validate=CODE, metadata={"description": "field of procedures"})
    procedure = fields.String(validate=CODE, metadata={"description": "procedure code"})
    date_from = fields.Date(
        data_key="from",
        validate=DAYS,
        metadata={"description": "first day, Vietnam time (default: all time)"},
    )
    date_to = fields.Date(
        data_key="to",
        validate=DAYS,
        metadata={"description": "the day after the last one: the period is [from, to)"},
    )
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(EXPORT_FORMATS),
        metadata={"description": "json, or the table as csv / xlsx (also `Accept: text/csv`)"},
    )

    @validates_schema
    def _period(self, data: dict[str, object], **_: object) -> None:
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end <= start:  # type: ignore[operator]
            raise ValidationError("Ngày kết thúc phải sau ngày bắt đầu.", field_name="to")


class TrendQuery(ScopeQuery):
    by = fields.String(load_default=MONTH, validate=validate.OneOf((WEEK, MONTH)))


class FigureQuery(ScopeQuery):
    figure = fields.String(required=True, validate=validate.OneOf(FIGURES))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


def _counts(names: tuple[str, ...]) -> dict[str, fields.Integer]:
    return {name: fields.Integer(required=True) for name in names}


ChannelsOut = Schema.from_dict(_counts(CHANNELS), name="StatsChannels")
PointsOut = Schema.from_dict(_counts(POINTS), name="StatsPoints")
_FIGURES_OUT = {
    **_counts(FIGURES),
    "on_time_rate": fields.Float(
        allow_none=True, metadata={"description": "0-100, null when nothing to divide"}
    ),
    "on_time_formula": fields.String(required=True),
    "on_time_formula_text": fields.String(required=True),
    "online_share": fields.Float(allow_none=True),
    "average_days": fields.Float(allow_none=True),
    "median_days": fields.Float(
        allow_none=True, metadata={"description": "working days (office hours / 8)"}
    ),
    "satisfaction": fields.Float(
        allow_none=True, metadata={"description": "always null: no ratings are collected yet"}
    ),
    "by_channel": fields.Nested(ChannelsOut, required=True),
    "by_point": fields.Nested(PointsOut, required=True),
}
StatsOut = Schema.from_dict(_FIGURES_OUT, name="Stats")


class ProcedureStatsOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    time_limit_days = fields.Integer(required=True)
    figures = fields.Nested(StatsOut, required=True)


class ProcedureStatsListOut(Schema):
    items = fields.List(fields.Nested(ProcedureStatsOut), required=True)


class TrendPointOut(Schema):
    start = fields.Date(required=True)
    received = fields.Integer(required=True)
    online = fields.Integer(required=True)
    settled = fields.Integer(required=True)
    in_time = fields.Integer(required=True)
    late = fields.Integer(required=True)
    on_time_rate = fields.Float(allow_none=True)


class TrendOut(Schema):
    by = fields.String(required=True)
    items = fields.List(fields.Nested(TrendPointOut), required=True)


class IndicatorOut(Schema):
    key = fields.String(required=True)
    name_vi = fields.String(required=True)
    name_en = fields.String(required=True)
    formula = fields.String(required=True)
    points_max = fields.Integer(required=True)
    points = fields.Float(allow_none=True, metadata={"description": "null: not measured here"})
    measured = fields.Boolean(required=True)
    numerator = fields.Integer(allow_none=True)
    denominator = fields.Integer(allow_none=True)
    value = fields.Float(allow_none=True, metadata={"description": "numerator/denominator, %"})
    unconfirmed = fields.Boolean(required=True)
    figure = fields.String(
        allow_none=True, metadata={"description": "figure= of the dossiers that cost points"}
    )
    why_not = fields.String(allow_none=True)


class GroupOut(Schema):
    key = fields.String(required=True)
    name_vi = fields.String(required=True)
    name_en = fields.String(required=True)
    points_max = fields.Integer(required=True)
    measured_max = fields.Integer(required=True)
    points = fields.Float(allow_none=True, metadata={"description": "null: not measured here"})
    unconfirmed = fields.Boolean(required=True)
    indicators = fields.List(fields.Nested(IndicatorOut), required=True)


class ServiceIndexOut(Schema):
    source = fields.String(required=True)
    checked = fields.String(required=True)
    scoring = fields.String(required=True)
    points = fields.Float(allow_none=True)
    measured_max = fields.Integer(required=True)
    points_max = fields.Integer(required=True)
    groups = fields.List(fields.Nested(GroupOut), required=True)


class FigureDossierOut(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    procedure_name = fields.String(required=True)
    unit_name = fields.String(required=True)
    status = fields.String(required=True)
    status_label = fields.String(required=True)
    channel = fields.String(required=True)
    received_at = LocalDateTime(required=True)
    due_at = LocalDateTime(allow_none=True)
    finished_at = LocalDateTime(allow_none=True)
    timeliness = fields.String(allow_none=True)


class FigureDossiersOut(Schema):
    figure = fields.String(required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    items = fields.List(fields.Nested(FigureDossierOut), required=True)
