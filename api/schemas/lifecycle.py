"""Bodies of the dossier lifecycle actions, the import from other portals, and public tracking."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from api.schemas.base import LocalDateTime
from api.schemas.base import StrictSchema
from api.schemas.work import ApplicantIn
from api.schemas.work import ReceptionPointIn
from api.schemas.work import SupplementOut
from engine.dossiers.delivery import DELIVERY_METHODS
from engine.dossiers.receive import CHANNELS
from engine.dossiers.supplements import MAX_ITEMS

REASON = validate.Length(min=1, max=2000)


class ReasonIn(StrictSchema):
    reason = fields.String(required=True, validate=REASON)


class SupplementRequestIn(StrictSchema):
    reason = fields.String(required=True, validate=REASON)
    items = fields.List(
        fields.String(validate=validate.Length(min=1, max=500)),
        required=True,
        validate=validate.Length(min=1, max=MAX_ITEMS),
        metadata={"description": "papers or contents the applicant must supplement"},
    )


class SupplementIn(StrictSchema):
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    data = fields.Dict(keys=fields.String(), load_default=dict)


class ApologyIn(StrictSchema):
    reason = fields.String(required=True, validate=REASON)
    new_due_at = fields.AwareDateTime(
        required=True, metadata={"description": "ISO 8601 with offset, later than due_at"}
    )


class ReturnIn(StrictSchema):
    method = fields.String(required=True, validate=validate.OneOf(DELIVERY_METHODS))
    tracking_number = fields.String(validate=validate.Length(min=1, max=60))
    address = fields.String(
        validate=validate.Length(min=1, max=300), metadata={"description": "required for postal"}
    )


class FeeRequestIn(StrictSchema):
    reason = fields.String(validate=validate.Length(max=2000))


class FeeIn(StrictSchema):
    paid = fields.Boolean(required=True)
    receipt_number = fields.String(
        validate=validate.Length(min=1, max=60), metadata={"description": "required when paid"}
    )


class ImportIn(StrictSchema):
    idempotency_key = fields.String(required=True, validate=validate.Length(min=1, max=120))
    source_system = fields.String(required=True, validate=validate.Length(min=1, max=60))
    external_code = fields.String(required=True, validate=validate.Length(min=1, max=80))
    procedure_code = fields.String(required=True, validate=validate.Length(min=1, max=60))
    applicant = fields.Nested(ApplicantIn, required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    unit = fields.String(
        required=True,
        validate=validate.Length(min=1, max=20),
        metadata={"description": "competent unit code"},
    )
    data = fields.Dict(keys=fields.String(), load_default=dict)
    submitted_at = fields.AwareDateTime(metadata={"description": "when the other portal got it"})
    reception_point = fields.Nested(ReceptionPointIn)


class TrackingQuery(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    key = fields.String(required=True, validate=validate.Length(min=1, max=20))


class TrackingOut(Schema):
    status = fields.String(required=True)
    status_code = fields.Integer(required=True)
    status_label = fields.String(required=True)
    procedure_name = fields.String(required=True)
    received_at = LocalDateTime(required=True)
    due_at = LocalDateTime(allow_none=True)
    timeliness = fields.String(required=True)
    supplement = fields.Nested(
        SupplementOut,
        allow_none=True,
        metadata={"description": "while it waits for the applicant: the papers, why, by when"},
    )
