from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from api.schemas.base import StrictSchema
from engine.roles import ROLE_LABELS


class GrantIn(StrictSchema):
    role = fields.String(required=True, validate=validate.OneOf(list(ROLE_LABELS)))
    unit = fields.String(required=True, validate=validate.Length(min=1, max=20))


class UserIn(StrictSchema):
    username = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[a-z0-9_.]{3,80}$", error="Tên đăng nhập: 3-80 ký tự a-z, 0-9, dấu chấm, gạch dưới."
        ),
    )
    password = fields.String(required=True, validate=validate.Length(min=8, max=200))
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    roles = fields.List(fields.Nested(GrantIn), required=True, validate=validate.Length(min=1))


class UserGrantOut(Schema):
    role = fields.String(required=True)
    unit = fields.String(required=True)


class UserOut(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    roles = fields.List(fields.Nested(UserGrantOut), required=True)
