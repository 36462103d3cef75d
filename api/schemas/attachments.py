"""Documents attached to dossiers."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields

from api.schemas.base import LocalDateTime
from api.schemas.base import StrictSchema
from api.schemas.base import UserRefOut


class AttachmentForm(Schema):
    """Documentation of the multipart body: `files` (one or more) and, optionally, one `labels`
    text field per file in the same order (what each document is)."""

    files = fields.List(fields.Raw(metadata={"type": "string", "format": "binary"}), required=True)


class AttachmentOut(Schema):
    id = fields.Integer(required=True)
    dossier_id = fields.Integer(required=True)
    label = fields.String(required=True)
    filename = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    uploaded_by = fields.Nested(UserRefOut, allow_none=True)
    uploaded_at = LocalDateTime(required=True)


class DownloadQuery(StrictSchema):
    download = fields.Boolean(
        load_default=False,
        metadata={"description": "true: save as a file; false: show in the browser"},
    )
