"""Trying a decision table on inputs a designer types."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from api.schemas.base import StrictSchema

MAX_TABLE_CHARS = 1_000_000


class DecisionTrialIn(StrictSchema):
    files = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[^/\\]{1,200}\.dmn$")),
        values=fields.String(validate=validate.Length(max=MAX_TABLE_CHARS)),
        required=True,
        validate=validate.Length(min=1, max=20),
        metadata={"description": "the procedure's decision tables: file name -> DMN XML"},
    )
    decision_id = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "the decision's id, as a business rule task names it"},
    )
    inputs = fields.Dict(
        keys=fields.String(),
        load_default=dict,
        metadata={"description": "the dossier data the table reads", "example": {"age": 30}},
    )


class DecisionTrialOut(Schema):
    outputs = fields.Dict(
        required=True,
        metadata={"description": "what the table set (empty when no rule matched)"},
    )
