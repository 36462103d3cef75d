"""Dossiers, tasks and their history."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from api.schemas.base import LocalDateTime
from api.schemas.base import PageOut
from api.schemas.base import PageQuery
from api.schemas.base import StrictSchema
from api.schemas.base import UnitRefOut
from api.schemas.base import UserRefOut
from engine.dossiers import CHANNELS
from engine.queries.tasks import SCOPES
from engine.status import STATUSES


class ApplicantIn(StrictSchema):
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    id_number = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[0-9]{9}$|^[0-9]{12}$", error="Số CCCD/CMND gồm 12 (hoặc 9) chữ số."
        ),
    )
    phone = fields.String(
        validate=validate.Regexp(r"^\+?[0-9]{9,12}$", error="Số điện thoại không hợp lệ.")
    )
    address = fields.String(validate=validate.Length(max=300))
    email = fields.Email()
    date_of_birth = fields.Date()
    relationship = fields.String(validate=validate.Length(max=60))


class DossierIn(StrictSchema):
    procedure_code = fields.String(required=True, validate=validate.Length(min=1, max=60))
    applicant = fields.Nested(ApplicantIn, required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    unit = fields.String(
        validate=validate.Length(min=1, max=20),
        metadata={"description": "competent unit code; default: the receiver's"},
    )
    data = fields.Dict(keys=fields.String(), load_default=dict)


class TaskOut(Schema):
    id = fields.Integer(required=True)
    dossier_id = fields.Integer(required=True)
    dossier_code = fields.String(required=True)
    element_id = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    unit = fields.Nested(UnitRefOut, required=True)
    assignee = fields.Nested(UserRefOut, allow_none=True)
    state = fields.String(required=True)
    due_at = LocalDateTime(allow_none=True)
    created_at = LocalDateTime(required=True)
    completed_at = LocalDateTime(allow_none=True)
    form_name = fields.String(allow_none=True)
    form = fields.Dict(allow_none=True, metadata={"description": "form-js schema of the step"})


class EventOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    at = LocalDateTime(required=True)
    step_name = fields.String(allow_none=True)
    element_id = fields.String(allow_none=True)
    actor = fields.Nested(UserRefOut, allow_none=True)
    unit = fields.Nested(UnitRefOut, allow_none=True)
    to_unit = fields.Nested(UnitRefOut, allow_none=True)
    detail = fields.Dict(required=True)


class DossierOut(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    status = fields.String(required=True)
    status_code = fields.Integer(required=True)
    status_label = fields.String(required=True)
    channel = fields.String(required=True)
    procedure_code = fields.String(required=True)
    procedure_name = fields.String(required=True)
    procedure_version = fields.Integer(required=True)
    applicant = fields.Dict(required=True)
    data = fields.Dict(required=True)
    receiving_unit = fields.Nested(UnitRefOut, required=True)
    competent_unit = fields.Nested(UnitRefOut, required=True)
    received_at = LocalDateTime(required=True)
    due_at = LocalDateTime(allow_none=True)
    finished_at = LocalDateTime(allow_none=True)
    tasks = fields.List(fields.Nested(TaskOut), required=True)
    history = fields.List(fields.Nested(EventOut), allow_none=True)


class DossierPageOut(PageOut):
    items = fields.List(fields.Nested(DossierOut), required=True)


class DossierQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(list(STATUSES)))


class TaskQuery(PageQuery):
    scope = fields.String(load_default="candidate", validate=validate.OneOf(SCOPES))
    dossier_id = fields.Integer(validate=validate.Range(min=1))


class TaskPageOut(PageOut):
    items = fields.List(fields.Nested(TaskOut), required=True)


class CompleteIn(StrictSchema):
    data = fields.Dict(keys=fields.String(), required=True)


class CompleteOut(Schema):
    next_tasks = fields.List(fields.Nested(TaskOut), required=True)
