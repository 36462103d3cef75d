from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from api.schemas.base import PageOut
from api.schemas.base import PageQuery
from api.schemas.base import StrictSchema
from engine.access.roles import ROLE_LABELS
from engine.people.passwords import LENGTH_MESSAGE
from engine.people.passwords import MAX_LENGTH
from engine.people.passwords import MIN_LENGTH

NEW_PASSWORD = validate.Length(min=MIN_LENGTH, max=MAX_LENGTH, error=LENGTH_MESSAGE)


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
    password = fields.String(required=True, validate=NEW_PASSWORD)
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
    is_active = fields.Boolean(
        required=True, metadata={"description": "false: disabled, cannot log in"}
    )


class UserQuery(PageQuery):
    q = fields.String(
        validate=validate.Length(min=1, max=80),
        metadata={"description": "part of the username or full name, any case, accents optional"},
    )
    unit = fields.String(
        validate=validate.Length(min=1, max=20),
        metadata={"description": "unit code: users holding a role there"},
    )
    active = fields.Boolean(metadata={"description": "only enabled (true) or disabled (false)"})


class UserPageOut(PageOut):
    items = fields.List(fields.Nested(UserOut), required=True)


class UserRolesIn(StrictSchema):
    roles = fields.List(
        fields.Nested(GrantIn),
        required=True,
        validate=validate.Length(min=1, max=50),
        metadata={"description": "every grant the account keeps: the others are taken away"},
    )


class UserChangeIn(StrictSchema):
    is_active = fields.Boolean(
        required=True,
        metadata={"description": "false disables the account; its open tasks go to the queues"},
    )


class PasswordResetIn(StrictSchema):
    new_password = fields.String(required=True, validate=NEW_PASSWORD)


class PasswordChangeIn(StrictSchema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=MAX_LENGTH))
    new_password = fields.String(required=True, validate=NEW_PASSWORD)
