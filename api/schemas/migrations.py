"""Comparing versions, moving running dossiers between them, retiring one, reassigning in bulk."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate
from marshmallow import validates_schema
from marshmallow.exceptions import ValidationError

from api.schemas.base import MAX_ID
from api.schemas.base import LocalDateTime
from api.schemas.base import StrictSchema

VERSION = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
ELEMENT = fields.String(validate=validate.Length(min=1, max=120))
MAPPING = fields.Dict(
    keys=ELEMENT,
    values=ELEMENT,
    load_default=None,
    validate=validate.Length(max=500),
    metadata={"description": "old element id -> element id of the target version"},
)


class DiffQuery(StrictSchema):
    from_ = fields.Integer(
        data_key="from", required=True, validate=validate.Range(min=1, max=MAX_ID)
    )
    to = VERSION


class ElementOut(Schema):
    element_id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)


class ChangedOut(ElementOut):
    properties = fields.Dict(
        required=True, metadata={"description": "property -> {from, to}: role, form, time_limit …"}
    )


class MovedOut(ElementOut):
    from_scope = fields.String(required=True)
    to_scope = fields.String(required=True)
    from_position = fields.List(fields.Float(), allow_none=True)
    to_position = fields.List(fields.Float(), allow_none=True)


class SummaryOut(Schema):
    steps = fields.Integer(required=True)
    roles = fields.List(fields.String(), required=True)
    handovers = fields.Integer(required=True)
    limit_sum = fields.Float(
        attribute="limit_sum_days",
        required=True,
        metadata={"description": "step limits on the longest path, working days"},
    )
    limit_sum_hours = fields.Integer(required=True)
    statutory_limit = fields.Integer(required=True)
    statutory_limit_unit = fields.String(required=True)


class DiffOut(Schema):
    added = fields.List(fields.Nested(ElementOut), required=True)
    removed = fields.List(fields.Nested(ElementOut), required=True)
    changed = fields.List(fields.Nested(ChangedOut), required=True)
    moved = fields.List(fields.Nested(MovedOut), required=True)
    forms = fields.Dict(required=True, metadata={"description": "form file -> field changes"})
    summary = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(SummaryOut),
        required=True,
        metadata={"description": "`from` and `to`: the before/after table"},
    )


class PreviewQuery(StrictSchema):
    to = VERSION
    from_ = fields.Integer(
        data_key="from", load_default=None, validate=validate.Range(min=1, max=MAX_ID)
    )


class PreviewIn(StrictSchema):
    """The preview with a mapping (POST, as the mapping does not fit a query string)."""

    to = VERSION
    from_ = fields.Integer(
        data_key="from", load_default=None, validate=validate.Range(min=1, max=MAX_ID)
    )
    mapping = MAPPING


class MovableOut(Schema):
    dossier_id = fields.Integer(required=True)
    code = fields.String(required=True)
    from_version = fields.Integer(required=True)
    tasks = fields.List(fields.String(), required=True)


class BlockedOut(Schema):
    dossier_id = fields.Integer(required=True)
    code = fields.String(required=True)
    from_version = fields.Integer(required=True)
    reason = fields.String(required=True)
    reason_code = fields.String(required=True)
    element_id = fields.String(allow_none=True)


class TargetStepOut(Schema):
    element_id = fields.String(required=True)
    name = fields.String(required=True)


class PreviewOut(Schema):
    to_version = fields.Integer(required=True)
    target_steps = fields.List(
        fields.Nested(TargetStepOut),
        required=True,
        metadata={"description": "the target's human steps, what a mapping may name"},
    )
    movable = fields.List(fields.Nested(MovableOut), required=True)
    blocked = fields.List(fields.Nested(BlockedOut), required=True)


class MigrationIn(StrictSchema):
    to = VERSION
    dossier_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=MAX_ID)),
        load_default=None,
        validate=validate.Length(min=1, max=100_000),
        metadata={"description": "default: every dossier the preview finds movable"},
    )
    mapping = MAPPING


class JobStartedOut(Schema):
    job_id = fields.Integer(required=True)


class FailedOut(Schema):
    dossier_id = fields.Integer(required=True)
    code = fields.String(required=True)
    reason = fields.String(required=True)


class JobOut(Schema):
    id = fields.Integer(required=True)
    procedure_code = fields.String(required=True)
    to_version = fields.Integer(required=True)
    state = fields.String(required=True, metadata={"enum": ["queued", "running", "done"]})
    total = fields.Integer(required=True)
    moved = fields.Integer(required=True)
    pending = fields.Integer(required=True)
    failed = fields.List(fields.Nested(FailedOut), required=True)
    mapping = fields.Dict(required=True)
    created_at = LocalDateTime(required=True)
    finished_at = LocalDateTime(allow_none=True)


class RetireIn(StrictSchema):
    make_current = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "the version that becomes current (needed to retire it)"},
    )


class RetiredOut(Schema):
    retired = fields.Integer(required=True)
    current_version = fields.Integer(required=True)


class ReassignBulkIn(StrictSchema):
    from_user = fields.String(load_default=None, validate=validate.Length(min=1, max=80))
    from_unit = fields.String(load_default=None, validate=validate.Length(min=1, max=20))
    to_user = fields.String(load_default=None, validate=validate.Length(min=1, max=80))
    to_unit = fields.String(load_default=None, validate=validate.Length(min=1, max=20))
    dry_run = fields.Boolean(load_default=True)

    @validates_schema
    def _one_source(self, data: dict[str, object], **kwargs: object) -> None:
        if (data.get("from_user") is None) == (data.get("from_unit") is None):
            raise ValidationError("give from_user or from_unit, not both", "from_user")


class HandedOut(Schema):
    task_id = fields.Integer(required=True)
    dossier_id = fields.Integer(required=True)
    dossier_code = fields.String(required=True)
    element_id = fields.String(required=True)
    name = fields.String(required=True)
    done = fields.Boolean(required=True, metadata={"description": "moved (or, dry run: would)"})
    reason = fields.String(allow_none=True)


class ReassignBulkOut(Schema):
    dry_run = fields.Boolean(required=True)
    moved = fields.Integer(required=True)
    tasks = fields.List(fields.Nested(HandedOut), required=True)
