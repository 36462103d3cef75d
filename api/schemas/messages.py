"""Messages from other agencies' systems."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema
from marshmallow import ValidationError
from marshmallow import fields
from marshmallow import validate
from marshmallow import validates

from api.schemas.base import LocalDateTime
from api.schemas.base import StrictSchema

MAX_CORRELATION_VALUES = 10
MAX_CORRELATION_TEXT = 300


class MessageIn(StrictSchema):
    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=300),
        metadata={"description": "the BPMN message's name, e.g. verification_answer"},
    )
    correlation = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=100)),
        values=fields.Raw(),
        required=True,
        metadata={
            "description": "whom it is for: values by correlation property name, exactly as the "
            'dossier\'s conversation fixed them, or {"dossier_code": "<code>"} for a wait '
            "that fixed none",
            "example": {"dossier_code": "C01-260302-0001"},
        },
    )
    payload = fields.Dict(
        keys=fields.String(), load_default=dict, metadata={"description": "what it carries"}
    )
    message_id = fields.String(
        required=True,
        validate=validate.Length(min=1, max=120),
        metadata={"description": "the sender's id: the same id is delivered once"},
    )
    kind = fields.String(
        load_default="message",
        validate=validate.OneOf(["message", "signal"]),
        metadata={
            "description": "message (default), or signal: a BPMN signal the dossier waits "
            'for, addressed by {"dossier_code": "<code>"}'
        },
    )

    @validates("correlation")
    def _plain_values(self, value: dict[str, Any], **_kwargs: Any) -> None:
        """A few plain values, compared as they are (5 and "5" differ): text, whole numbers,
        true or false."""
        if not 1 <= len(value) <= MAX_CORRELATION_VALUES:
            raise ValidationError(
                f"Cần 1–{MAX_CORRELATION_VALUES} giá trị tương quan "
                f"(1 to {MAX_CORRELATION_VALUES} correlation values)."
            )
        for item in value.values():
            if isinstance(item, str) and 0 < len(item) <= MAX_CORRELATION_TEXT:
                continue
            if isinstance(item, int) and abs(item) < 2**53:
                continue
            raise ValidationError(
                "Giá trị tương quan là chuỗi (1–300 ký tự), số nguyên hoặc true/false "
                "(correlation values are text, whole numbers or booleans)."
            )


class DeliveredOut(Schema):
    dossier_id = fields.Integer(required=True)
    dossier_code = fields.String(required=True)
    elements = fields.List(
        fields.String(), required=True, metadata={"description": "the elements that received it"}
    )
    delivered_at = LocalDateTime(required=True)


class RefusedOut(Schema):
    dossier_id = fields.Integer(required=True)
    dossier_code = fields.String(required=True)
    reason = fields.String(required=True)
    incident_id = fields.Integer(
        required=True,
        metadata={"description": "the incident keeping the message, to deliver again"},
    )


class MessageOut(Schema):
    message_id = fields.String(required=True)
    name = fields.String(required=True)
    deliveries = fields.List(fields.Nested(DeliveredOut), required=True)
    refused = fields.List(
        fields.Nested(RefusedOut),
        required=True,
        metadata={
            "description": "dossiers whose workflow could not take it: nothing moved, the "
            "message is kept in an incident"
        },
    )
    replayed = fields.Boolean(
        required=True,
        metadata={"description": "the message_id was delivered before: nothing moved now"},
    )
