from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from api.schemas.base import StrictSchema


class LoginIn(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class GrantOut(Schema):
    role = fields.String(required=True)
    unit_id = fields.Integer(required=True)


class MeOut(Schema):
    user_id = fields.Integer(required=True)
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    grants = fields.List(fields.Nested(GrantOut), required=True)


class TokenOut(Schema):
    token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True)
    user = fields.Nested(MeOut, required=True)
