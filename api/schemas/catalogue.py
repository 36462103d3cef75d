from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from api.schemas.base import LocalDateTime
from api.schemas.base import StrictSchema
from engine.access.roles import FIELD_LABELS
from engine.rules.calendar import MAX_HOURS
from engine.rules.calendar import UNITS


class UnitOut(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["province", "commune", "ward"]})
    parent_code = fields.String(allow_none=True)


class ProcedureOut(Schema):
    code = fields.String(required=True)
    name_vi = fields.String(required=True)
    name_en = fields.String(required=True)
    field = fields.String(required=True)
    version = fields.Integer(required=True)
    time_limit = fields.Integer(
        required=True,
        metadata={"description": "working days (0 = same day) or working hours, per the unit"},
    )
    time_limit_unit = fields.String(required=True, metadata={"enum": list(UNITS)})
    process_id = fields.String(required=True)
    published_at = LocalDateTime(required=True)
    fee = fields.Dict(
        allow_none=True, metadata={"description": "fee rule: free, fixed or per_page"}
    )
    supplement_days = fields.Integer(
        required=True, metadata={"description": "working days the applicant has to supplement"}
    )


class VersionOut(Schema):
    number = fields.Integer(required=True)
    content_hash = fields.String(required=True)
    published_at = LocalDateTime(required=True)
    time_limit = fields.Integer(required=True)
    time_limit_unit = fields.String(required=True, metadata={"enum": list(UNITS)})


class ProcedureDetailOut(ProcedureOut):
    files = fields.List(fields.String(), required=True)
    bpmn_xml = fields.String(required=True)
    versions = fields.List(fields.Nested(VersionOut), required=True)


class ProcedureQuery(StrictSchema):
    field = fields.String(validate=validate.OneOf(list(FIELD_LABELS)))


class ProcedureMetadataIn(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=2, max=60))
    name_vi = fields.String(required=True, validate=validate.Length(min=1, max=300))
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=300))
    field = fields.String(required=True, validate=validate.OneOf(list(FIELD_LABELS)))
    time_limit = fields.Integer(required=True, validate=validate.Range(min=0, max=MAX_HOURS))
    time_limit_unit = fields.String(load_default="days", validate=validate.OneOf(list(UNITS)))
    process_id = fields.String(validate=validate.Length(min=1, max=120))
    fee = fields.Dict(
        allow_none=True,
        metadata={
            "description": 'e.g. {"kind": "free"}, {"kind": "fixed", "amount": 10000}, '
            '{"kind": "per_page", "first_pages": 2, "first_price": 2000, "next_price": 1000, '
            '"cap": 200000}'
        },
    )
    supplement_days = fields.Integer(validate=validate.Range(min=1, max=60))


class PublishForm(Schema):
    """Documentation of the multipart body; files are read from the request as uploaded.

    Parsed from `request.files`, where the `metadata` text field never is: it is checked (and
    required) by the view, so it must not be `required` here.
    """

    metadata = fields.String(metadata={"description": "JSON of ProcedureMetadataIn (required)"})
    files = fields.List(fields.Raw(metadata={"type": "string", "format": "binary"}), required=True)


class ProblemItemOut(Schema):
    message = fields.String(required=True)
    element_id = fields.String(allow_none=True)
    file = fields.String(allow_none=True)
    line = fields.Integer(allow_none=True)
    rule = fields.String(
        allow_none=True,
        metadata={
            "description": "the one-stop rule's id (`mot-cua/lane-role`, ...); null otherwise"
        },
    )


class PublishOut(Schema):
    procedure = fields.Nested(ProcedureOut, required=True)
    created = fields.Boolean(
        required=True, metadata={"description": "false: same as current version"}
    )
    warnings = fields.List(
        fields.Nested(ProblemItemOut),
        required=True,
        metadata={"description": "as in the validation's answer; publication went ahead"},
    )


class ValidateOut(Schema):
    problems = fields.List(
        fields.Nested(ProblemItemOut),
        required=True,
        metadata={"description": "what stops publication"},
    )
    warnings = fields.List(
        fields.Nested(ProblemItemOut),
        required=True,
        metadata={
            "description": "what the designer should know though it does not stop publication: "
            "a gateway whose conditions may all be false with no default flow, a message only "
            "another system can send"
        },
    )


class CheckExpressionIn(StrictSchema):
    expression = fields.String(required=True, validate=validate.Length(max=20_000))
    kind = fields.String(required=True, validate=validate.OneOf(["condition", "script"]))
    element_id = fields.String(load_default=None, allow_none=True)
    files = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        load_default=dict,
        metadata={"description": "the procedure's files by name (.bpmn, .dmn, .form.json)"},
    )
    process_id = fields.String(load_default=None, allow_none=True)


class CheckExpressionOut(Schema):
    problems = fields.List(
        fields.Nested(ProblemItemOut),
        required=True,
        metadata={"description": "why the sandbox refuses it; empty when it compiles"},
    )
    variables = fields.List(
        fields.String(), required=True, metadata={"description": "names it reads"}
    )
    unknown = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "names it reads that no step, form or event provides"},
    )
