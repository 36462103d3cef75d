"""Webhook subscriptions, their delivery log, and the notices sent to applicants."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from api.schemas.base import LocalDateTime
from api.schemas.base import PageOut
from api.schemas.base import PageQuery
from api.schemas.base import StrictSchema
from engine.background.webhooks import MIN_SECRET_LENGTH


class WebhookIn(StrictSchema):
    url = fields.String(
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={"description": "http:// or https:// address that receives each POST"},
    )
    secret = fields.String(
        validate=validate.Length(min=MIN_SECRET_LENGTH, max=200),
        metadata={"description": "HMAC-SHA256 key; generated (and shown once) when absent"},
    )
    description = fields.String(load_default="", validate=validate.Length(max=300))


class WebhookOut(Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    description = fields.String(required=True)
    active = fields.Boolean(required=True)
    created_at = LocalDateTime(required=True)
    created_by = fields.String(allow_none=True)


class WebhookCreatedOut(WebhookOut):
    secret = fields.String(
        required=True,
        metadata={"description": "signs `X-MotCua-Signature: sha256=<hex>`; shown only here"},
    )


class WebhookDeliveryOut(Schema):
    id = fields.Integer(required=True)
    event = fields.String(required=True)
    dossier_id = fields.Integer(allow_none=True)
    payload = fields.Dict(required=True)
    status = fields.String(
        required=True, metadata={"enum": ["pending", "delivered", "failed", "cancelled"]}
    )
    attempts = fields.Integer(required=True)
    last_response_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    created_at = LocalDateTime(required=True)
    next_attempt_at = LocalDateTime(allow_none=True)
    delivered_at = LocalDateTime(allow_none=True)


class WebhookDeliveryPageOut(PageOut):
    items = fields.List(fields.Nested(WebhookDeliveryOut), required=True)


class WebhookDeliveryQuery(PageQuery):
    pass


class NoticeOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "received, refused, apology…"})
    channel = fields.String(required=True, metadata={"enum": ["email", "sms", "zalo"]})
    recipient = fields.String(required=True)
    subject = fields.String(required=True)
    body = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["pending", "sent", "failed"]})
    attempts = fields.Integer(required=True)
    created_at = LocalDateTime(required=True)
    sent_at = LocalDateTime(allow_none=True)
    last_error = fields.String(allow_none=True)


class NoticeListOut(Schema):
    items = fields.List(fields.Nested(NoticeOut), required=True)
