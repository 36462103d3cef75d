"""The designer studio's API: versions of a procedure, its draft, publishing the draft."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from api.schemas.base import LocalDateTime
from api.schemas.base import StrictSchema
from api.schemas.catalogue import ProcedureMetadataIn
from engine.catalogue.drafts import MAX_FILES
from engine.catalogue.procedures import MAX_NOTE
from engine.catalogue.procedures import SOURCES
from engine.rules.calendar import UNITS

HASH = validate.Length(equal=64)


class VersionLineOut(Schema):
    version = fields.Integer(
        attribute="number", allow_none=True, metadata={"description": "null: the draft"}
    )
    status = fields.String(
        required=True, metadata={"enum": ["published", "superseded", "retired", "draft"]}
    )
    published_at = LocalDateTime(allow_none=True, metadata={"description": "null: the draft"})
    published_by = fields.String(
        allow_none=True, metadata={"description": "the publisher's name (the draft: who saved it)"}
    )
    note = fields.String(allow_none=True, metadata={"description": "the change note"})
    open_dossiers = fields.Integer(
        required=True, metadata={"description": "unfinished dossiers running on this version"}
    )
    source = fields.String(allow_none=True, metadata={"enum": list(SOURCES)})
    saved_at = LocalDateTime(allow_none=True, metadata={"description": "the draft's last save"})
    content_hash = fields.String(required=True)
    time_limit = fields.Integer(allow_none=True)
    time_limit_unit = fields.String(allow_none=True, metadata={"enum": list(UNITS)})


class DraftMetadataIn(ProcedureMetadataIn):
    """metadata.json as the studio edits it; unfinished drafts may leave fields out."""

    class Meta(StrictSchema.Meta):
        exclude = ("note",)


FILES = fields.Dict(
    keys=fields.String(validate=validate.Length(min=1, max=200)),
    values=fields.String(),
    required=True,
    validate=validate.Length(min=1, max=MAX_FILES),
    metadata={"description": "file name -> text: .bpmn, .dmn and .form.json files"},
)


class DraftIn(StrictSchema):
    files = FILES
    metadata = fields.Nested(DraftMetadataIn(partial=True), required=True)
    base_hash = fields.String(
        load_default=None,
        allow_none=True,
        validate=HASH,
        metadata={"description": "the hash of the draft as opened; null when there was none"},
    )


class DraftOut(Schema):
    code = fields.String(required=True)
    files = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    metadata = fields.Dict(required=True)
    hash = fields.String(required=True, metadata={"description": "base_hash of the next save"})
    saved_by = fields.String(allow_none=True)
    saved_at = LocalDateTime(required=True)


class DraftSavedOut(Schema):
    code = fields.String(required=True)
    hash = fields.String(required=True, metadata={"description": "base_hash of the next save"})
    saved_by = fields.String(allow_none=True)
    saved_at = LocalDateTime(required=True)


class DraftPublishIn(StrictSchema):
    note = fields.String(
        required=True,
        validate=validate.Length(min=1, max=MAX_NOTE),
        metadata={"description": "what changed, and why"},
    )
    base_hash = fields.String(
        load_default=None,
        allow_none=True,
        validate=HASH,
        metadata={"description": "when given, a draft saved by someone else since is a 409"},
    )
