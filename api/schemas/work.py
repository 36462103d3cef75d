"""Dossiers, tasks and their history."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from api.schemas.base import ID_RANGE
from api.schemas.base import LocalDateTime
from api.schemas.base import PageOut
from api.schemas.base import PageQuery
from api.schemas.base import StrictSchema
from api.schemas.base import UnitRefOut
from api.schemas.base import UserRefOut
from engine.dossiers.delivery import DELIVERY_METHODS
from engine.dossiers.receive import CHANNELS
from engine.dossiers.receive import RECEPTION_POINT_KINDS
from engine.queries.search import MAX_QUERY_LENGTH
from engine.queries.tasks import SCOPES
from engine.queries.tasks import SORTS


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


class ReceptionPointIn(StrictSchema):
    kind = fields.String(load_default="counter", validate=validate.OneOf(RECEPTION_POINT_KINDS))
    name = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "required unless counter (default: the receiving unit)"},
    )


class DossierIn(StrictSchema):
    procedure_code = fields.String(required=True, validate=validate.Length(min=1, max=60))
    applicant = fields.Nested(ApplicantIn, required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    unit = fields.String(
        validate=validate.Length(min=1, max=20),
        metadata={"description": "competent unit code; default: the receiver's"},
    )
    data = fields.Dict(keys=fields.String(), load_default=dict)
    reception_point = fields.Nested(ReceptionPointIn)


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
    applicant_name = fields.String(allow_none=True)
    item = fields.Dict(
        allow_none=True,
        metadata={
            "description": "for one instance of a multi-instance step: the item it works on, "
            "{name, value}; else null"
        },
    )
    data = fields.Dict(
        allow_none=True,
        metadata={
            "description": "the form data the step was completed with; "
            "given when one task is read and it is done, else null"
        },
    )


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


class FeeOut(Schema):
    amount = fields.Integer(allow_none=True, metadata={"description": "đồng; null: no fee rule"})
    paid = fields.Boolean(required=True)
    receipt_number = fields.String(allow_none=True)


class DeliveryOut(Schema):
    method = fields.String(allow_none=True, metadata={"enum": list(DELIVERY_METHODS)})
    tracking_number = fields.String(allow_none=True)
    address = fields.String(allow_none=True)


class ReceptionPointOut(Schema):
    kind = fields.String(required=True, metadata={"enum": list(RECEPTION_POINT_KINDS)})
    name = fields.String(allow_none=True)


class SupplementOut(Schema):
    reason = fields.String(required=True)
    items = fields.List(fields.String(), required=True)
    requested_at = LocalDateTime(required=True)
    applicant_due_at = LocalDateTime(required=True)


class WaitOut(Schema):
    kind = fields.String(
        required=True, metadata={"enum": ["message", "signal", "condition", "timer"]}
    )
    name = fields.String(required=True)
    element_id = fields.String(required=True)
    due_at = LocalDateTime(allow_none=True, metadata={"description": "timers only"})


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
    lookup_key = fields.String(
        required=True, metadata={"description": "with the code, lets the citizen track it"}
    )
    original_due_at = LocalDateTime(
        allow_none=True, metadata={"description": "statutory due time; an apology moves due_at"}
    )
    returned_at = LocalDateTime(allow_none=True)
    paused_days = fields.Integer(required=True)
    timeliness = fields.String(
        required=True,
        metadata={"enum": ["early", "on_time", "late", "within_limit", "due_soon", "overdue"]},
    )
    fee = fields.Nested(FeeOut, required=True)
    delivery = fields.Nested(DeliveryOut, required=True)
    reception_point = fields.Nested(ReceptionPointOut, required=True)
    supplement = fields.Nested(SupplementOut, allow_none=True)
    waiting_for = fields.List(
        fields.Nested(WaitOut),
        required=True,
        metadata={"description": "what the workflow waits on besides open tasks"},
    )


class DossierPageOut(PageOut):
    items = fields.List(fields.Nested(DossierOut), required=True)


class TaskQuery(PageQuery):
    scope = fields.String(load_default="candidate", validate=validate.OneOf(SCOPES))
    dossier_id = fields.Integer(validate=ID_RANGE)
    q = fields.String(
        validate=validate.Length(max=MAX_QUERY_LENGTH),
        metadata={
            "description": "part of a dossier code, or of the applicant's name, ID number or phone"
        },
    )
    sort = fields.String(
        load_default="due_at",
        validate=validate.OneOf(SORTS),
        metadata={"description": "due_at (earliest first, no due time last), -due_at, ..."},
    )


class TaskCountsOut(Schema):
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "open tasks per scope"},
    )


class ReleaseIn(StrictSchema):
    note = fields.String(load_default="", validate=validate.Length(max=500))


class ReassignIn(StrictSchema):
    assignee = fields.String(
        required=True,
        validate=validate.Length(min=1, max=80),
        metadata={"description": "username of the colleague who takes the task"},
    )
    note = fields.String(load_default="", validate=validate.Length(max=500))


class DiagramOut(Schema):
    bpmn_xml = fields.String(required=True)
    element_id = fields.String(required=True, metadata={"description": "the task's element"})
    completed_elements = fields.List(fields.String(), required=True)
    open_elements = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "the dossier's open steps now (the current ones)"},
    )


class TaskPageOut(PageOut):
    items = fields.List(fields.Nested(TaskOut), required=True)


class CompleteIn(StrictSchema):
    data = fields.Dict(keys=fields.String(), required=True)


class CompleteOut(Schema):
    next_tasks = fields.List(fields.Nested(TaskOut), required=True)
