from __future__ import annotations

from datetime import UTC
from datetime import datetime

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from api.schemas.base import ID_RANGE
from api.schemas.base import LocalDateTime
from api.schemas.base import PageOut
from api.schemas.base import PageQuery
from engine.people.audit import ACTIONS
from engine.rules.calendar import LOCAL_TZ

PLAUSIBLE_TIME = validate.Range(
    min=datetime(2000, 1, 1, tzinfo=UTC), max=datetime(2100, 1, 1, tzinfo=UTC)
)
"""Far-off times would overflow on the way to UTC; the log holds nothing outside these years."""


class AuditQuery(PageQuery):
    user = fields.String(
        validate=validate.Length(min=1, max=80),
        metadata={"description": "username (for failed logins: the name that was typed)"},
    )
    dossier = fields.Integer(validate=ID_RANGE, metadata={"description": "dossier id"})
    action = fields.String(validate=validate.OneOf(ACTIONS))
    since = fields.AwareDateTime(
        data_key="from",
        default_timezone=LOCAL_TZ,
        validate=PLAUSIBLE_TIME,
        metadata={"description": "from this time on (ISO 8601; Vietnam time if no offset)"},
    )
    until = fields.AwareDateTime(
        data_key="to",
        default_timezone=LOCAL_TZ,
        validate=PLAUSIBLE_TIME,
        metadata={"description": "before this time (ISO 8601; Vietnam time if no offset)"},
    )


class AuditOut(Schema):
    id = fields.Integer(required=True)
    at = LocalDateTime(required=True)
    user_id = fields.Integer(allow_none=True)
    username = fields.String(required=True)
    action = fields.String(required=True, metadata={"enum": list(ACTIONS)})
    target_type = fields.String(
        allow_none=True, metadata={"description": "dossier, task, slip, attachment"}
    )
    target_id = fields.Integer(allow_none=True)
    dossier_id = fields.Integer(allow_none=True)
    unit = fields.String(allow_none=True, metadata={"description": "the dossier's unit code"})
    detail = fields.String(allow_none=True)
    ip = fields.String(required=True)
    user_agent = fields.String(required=True)


class AuditPageOut(PageOut):
    items = fields.List(fields.Nested(AuditOut), required=True)
