"""Bottlenecks: heat map, before/after, simplification hints and what-if simulation of a draft."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from api.schemas.base import LocalDateTime
from api.schemas.base import StrictSchema

ELEMENT_ID = validate.Length(min=1, max=120)


class PeriodQuery(StrictSchema):
    start = fields.Date(
        data_key="from", metadata={"description": "first day of receipt (local date); all time"}
    )
    end = fields.Date(
        data_key="to", metadata={"description": "last day of receipt, inclusive (local date)"}
    )


class HeatmapQuery(PeriodQuery):
    version = fields.Integer(
        validate=validate.Range(min=1, max=100_000),
        metadata={"description": "version number; the current one when absent"},
    )


class SpreadOut(Schema):
    median = fields.Float(allow_none=True, metadata={"description": "working hours"})
    p90 = fields.Float(allow_none=True, metadata={"description": "90th percentile, working hours"})


class StepFiguresOut(Schema):
    element_id = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    count = fields.Integer(required=True, metadata={"description": "completed tasks measured"})
    open = fields.Integer(required=True, metadata={"description": "tasks still open"})
    waiting = fields.Nested(SpreadOut, required=True, metadata={"description": "created to taken"})
    working = fields.Nested(
        SpreadOut, required=True, metadata={"description": "taken to completed"}
    )
    total = fields.Nested(SpreadOut, required=True)


class QueueLineOut(Schema):
    name = fields.String(required=True)
    unit = fields.String(required=True)
    open = fields.Integer(required=True)
    unclaimed = fields.Integer(required=True)
    oldest_hours = fields.Float(required=True, metadata={"description": "working hours waited"})


class HeatmapOut(Schema):
    procedure = fields.String(required=True)
    version = fields.Integer(required=True)
    start = fields.Date(data_key="from", allow_none=True)
    end = fields.Date(data_key="to", allow_none=True)
    dossiers = fields.Integer(required=True)
    steps = fields.List(fields.Nested(StepFiguresOut), required=True)
    slowest = fields.List(fields.Nested(StepFiguresOut), required=True)
    by_specialist = fields.List(fields.Nested(QueueLineOut), required=True)
    by_unit = fields.List(fields.Nested(QueueLineOut), required=True)
    max_hours = fields.Float(required=True, metadata={"description": "top of the colour scale"})


class VersionFiguresOut(Schema):
    number = fields.Integer(required=True)
    published_at = LocalDateTime(required=True)
    note = fields.String(allow_none=True)
    time_limit = fields.Integer(required=True)
    time_limit_unit = fields.String(required=True)
    limit_hours = fields.Float(required=True)
    dossiers = fields.Integer(required=True)
    settled = fields.Integer(required=True)
    processing = fields.Nested(SpreadOut, required=True)
    limit_change_pct = fields.Float(allow_none=True)
    median_change_pct = fields.Float(allow_none=True)
    steps = fields.List(fields.Nested(StepFiguresOut), required=True)


class HintOut(Schema):
    kind = fields.String(
        required=True,
        metadata={"enum": ["rarely_changes_outcome", "run_in_parallel", "staffing"]},
    )
    element_ids = fields.List(fields.String(), required=True)
    names = fields.List(fields.String(), required=True)
    hours_at_stake = fields.Float(required=True)
    figures = fields.Dict(required=True)


class SimulateIn(StrictSchema):
    months = fields.Integer(load_default=3, validate=validate.Range(min=1, max=24))
    runs = fields.Integer(load_default=10, validate=validate.Range(min=2, max=50))
    seed = fields.Integer(load_default=1, validate=validate.Range(min=0, max=2**31 - 1))
    estimates = fields.Dict(
        keys=fields.String(validate=ELEMENT_ID),
        values=fields.Float(validate=validate.Range(min=0, max=2920)),
        load_default=dict,
        metadata={"description": "working hours for each step new in the draft"},
    )


class RangeOut(Schema):
    p10 = fields.Float(allow_none=True)
    p50 = fields.Float(allow_none=True)
    p90 = fields.Float(allow_none=True)


class EstimateOut(Schema):
    median_hours = fields.Nested(RangeOut, required=True)
    on_time_pct = fields.Nested(RangeOut, required=True)
    limit_hours_label = fields.String(required=True)


class CalibrationOut(Schema):
    dossiers_settled = fields.Integer(required=True)
    actual_median_hours = fields.Float(allow_none=True)
    actual_on_time_pct = fields.Float(allow_none=True)
    simulated = fields.Nested(EstimateOut, required=True)
    median_off_pct = fields.Float(allow_none=True)
    on_time_off_points = fields.Float(allow_none=True)


class StepSourceOut(Schema):
    element_id = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(allow_none=True)
    source = fields.String(required=True, metadata={"enum": ["history", "estimate", "unknown"]})
    samples = fields.Integer(required=True)
    median_hours = fields.Float(allow_none=True)


class ModelFiguresOut(Schema):
    model = fields.String(
        required=True,
        metadata={
            "enum": ["queue", "observed"],
            "description": "queue: steps wait for their role's staff and take their working "
            "time; observed: steps take their whole historical time, staff unlimited",
        },
    )
    draft = fields.Nested(EstimateOut, required=True)
    calibration = fields.Nested(CalibrationOut, required=True)


class SimulationOut(Schema):
    procedure = fields.String(required=True)
    months = fields.Integer(required=True)
    runs = fields.Integer(required=True)
    arrivals = fields.Integer(required=True)
    models = fields.List(fields.Nested(ModelFiguresOut), required=True)
    closest = fields.String(
        required=True, metadata={"description": "the model calibrated nearest to what happened"}
    )
    steps = fields.List(fields.Nested(StepSourceOut), required=True)
    unknown_steps = fields.List(fields.String(), required=True)
    branches = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)
    evenly_split = fields.List(fields.String(), required=True)
    unstaffed_roles = fields.List(fields.String(), required=True)
    approximations = fields.List(fields.String(), required=True)
    seconds = fields.Float(required=True)
