"""Incidents: what failed in a workflow, listed and retried by administrators."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from api.schemas.base import LocalDateTime
from api.schemas.base import PageOut
from api.schemas.base import PageQuery
from api.schemas.base import UnitRefOut
from api.schemas.base import UserRefOut
from engine.models.incidents import INCIDENT_KINDS
from engine.queries.incidents import STATES


class IncidentQuery(PageQuery):
    state = fields.String(load_default="open", validate=validate.OneOf(STATES))
    unit = fields.String(
        validate=validate.Length(min=1, max=20), metadata={"description": "unit code"}
    )
    procedure = fields.String(
        validate=validate.Length(min=1, max=60), metadata={"description": "procedure code"}
    )


class IncidentOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": list(INCIDENT_KINDS)})
    state = fields.String(required=True, metadata={"enum": ["open", "resolved"]})
    dossier_id = fields.Integer(allow_none=True)
    dossier_code = fields.String(allow_none=True)
    task_id = fields.Integer(allow_none=True)
    timer_id = fields.Integer(allow_none=True)
    element_id = fields.String(allow_none=True)
    step_name = fields.String(allow_none=True)
    procedure_code = fields.String(required=True)
    procedure_version = fields.Integer(
        required=True, metadata={"description": "the version that failed"}
    )
    unit = fields.Nested(UnitRefOut, allow_none=True)
    submitted_by = fields.Nested(UserRefOut, allow_none=True)
    data = fields.Dict(
        required=True, metadata={"description": "the submitted data a retry sends again"}
    )
    message = fields.String(required=True, metadata={"description": "the latest failure"})
    attempts = fields.Integer(required=True, metadata={"description": "failed runs so far"})
    created_at = LocalDateTime(required=True)
    last_failed_at = LocalDateTime(required=True)
    resolved_at = LocalDateTime(allow_none=True)
    resolved_by = fields.Nested(UserRefOut, allow_none=True)
    resolution = fields.String(
        allow_none=True, metadata={"description": "retried, task_closed or timer_rearmed"}
    )


class IncidentPageOut(PageOut):
    items = fields.List(fields.Nested(IncidentOut), required=True)
