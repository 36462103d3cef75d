from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from api.schemas.base import MAX_ID
from api.schemas.base import LocalDateTime
from api.schemas.base import StrictSchema
from engine.access.roles import FIELD_LABELS
from engine.catalogue.procedures import SOURCES
from engine.rules.calendar import MAX_HOURS
from engine.rules.calendar import UNITS


class UnitOut(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["province", "commune", "ward"]})
    parent_code = fields.String(allow_none=True)


class RequiredDocumentOut(Schema):
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["original", "copy", "either"]})
    count = fields.Integer(required=True)


class ProcedureOut(Schema):
    code = fields.String(required=True)
    name_vi = fields.String(required=True)
    name_en = fields.String(required=True)
    field = fields.String(required=True)
    version = fields.Integer(required=True)
    time_limit = fields.Integer(
        required=True,
        metadata={"description": "working days (0 = same day) or working hours, per the unit"},
    )
    time_limit_unit = fields.String(required=True, metadata={"enum": list(UNITS)})
    process_id = fields.String(required=True)
    published_at = LocalDateTime(required=True)
    fee = fields.Dict(
        allow_none=True, metadata={"description": "fee rule: free, fixed, per_page or decision"}
    )
    supplement_days = fields.Integer(
        required=True, metadata={"description": "working days the applicant has to supplement"}
    )
    national_code = fields.String(
        allow_none=True, metadata={"description": "national procedure database code"}
    )
    legal_basis = fields.List(fields.String(), required=True)
    required_documents = fields.List(fields.Nested(RequiredDocumentOut), required=True)
    unconfirmed = fields.List(fields.String(), required=True)


VERSION_STATUSES = ["published", "superseded", "retired"]


class VersionOut(Schema):
    number = fields.Integer(required=True)
    content_hash = fields.String(required=True)
    published_at = LocalDateTime(required=True)
    time_limit = fields.Integer(required=True)
    time_limit_unit = fields.String(required=True, metadata={"enum": list(UNITS)})
    status = fields.String(required=True, metadata={"enum": VERSION_STATUSES})
    note = fields.String(allow_none=True, metadata={"description": "the change note"})
    source = fields.String(
        allow_none=True,
        metadata={"enum": list(SOURCES), "description": "null: published before the studio"},
    )


class ProcedureDetailOut(ProcedureOut):
    files = fields.List(fields.String(), required=True)
    bpmn_xml = fields.String(required=True)
    versions = fields.List(fields.Nested(VersionOut), required=True)
    contents = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "the version's files by name"},
    )
    status = fields.String(
        required=True,
        metadata={"enum": VERSION_STATUSES, "description": "published: the current version"},
    )
    note = fields.String(allow_none=True)
    published_by = fields.String(allow_none=True, metadata={"description": "the publisher's name"})
    source = fields.String(allow_none=True, metadata={"enum": list(SOURCES)})


class ProcedureVersionQuery(StrictSchema):
    version = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "a version number (default: the current version)"},
    )


class ProcedureQuery(StrictSchema):
    field = fields.String(validate=validate.OneOf(list(FIELD_LABELS)))
    q = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "a national code (1.004222), a code or words of a name"},
    )


class RequiredDocumentIn(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    kind = fields.String(
        load_default="copy",
        validate=validate.OneOf(["original", "copy", "either"]),
        metadata={"description": "original (bản chính), copy (bản sao) or either"},
    )
    count = fields.Integer(load_default=1, validate=validate.Range(min=1, max=20))


class ProcedureMetadataIn(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=2, max=60))
    name_vi = fields.String(required=True, validate=validate.Length(min=1, max=300))
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=300))
    field = fields.String(required=True, validate=validate.OneOf(list(FIELD_LABELS)))
    time_limit = fields.Integer(required=True, validate=validate.Range(min=0, max=MAX_HOURS))
    time_limit_unit = fields.String(load_default="days", validate=validate.OneOf(list(UNITS)))
    process_id = fields.String(validate=validate.Length(min=1, max=120))
    fee = fields.Dict(
        allow_none=True,
        metadata={
            "description": 'e.g. {"kind": "free"}, {"kind": "fixed", "amount": 10000}, '
            '{"kind": "per_page", "first_pages": 2, "first_price": 2000, "next_price": 1000, '
            '"cap": 200000}, or {"kind": "decision", "decision": "certification_fee"}: the '
            "procedure's DMN table of that id gives `fee` from the dossier's data at receipt"
        },
    )
    supplement_days = fields.Integer(validate=validate.Range(min=1, max=60))
    national_code = fields.String(
        allow_none=True,
        validate=validate.Length(max=20),
        metadata={"description": "the national procedure database's code, e.g. 1.004222"},
    )
    legal_basis = fields.List(
        fields.String(validate=validate.Length(min=1, max=500)),
        allow_none=True,
        validate=validate.Length(max=30),
        metadata={"description": "the legal documents it rests on"},
    )
    required_documents = fields.List(
        fields.Nested(RequiredDocumentIn),
        allow_none=True,
        validate=validate.Length(max=50),
        metadata={"description": "the papers an applicant brings (reception's checklist)"},
    )
    unconfirmed = fields.List(
        fields.String(validate=validate.Length(min=1, max=60)),
        allow_none=True,
        metadata={"description": "which figures (e.g. fee) no official source has confirmed"},
    )
    note = fields.String(
        validate=validate.Length(max=2000),
        metadata={"description": "the change note of the version published (not stored in it)"},
    )


class PublishForm(Schema):
    """Documentation of the multipart body; files are read from the request as uploaded.

    Parsed from `request.files`, where the `metadata` text field never is: it is checked (and
    required) by the view, so it must not be `required` here.
    """

    metadata = fields.String(
        metadata={
            "description": "JSON of ProcedureMetadataIn (required, unless the one file is a zip "
            "holding metadata.json)"
        }
    )
    files = fields.List(
        fields.Raw(metadata={"type": "string", "format": "binary"}),
        required=True,
        metadata={
            "description": ".bpmn, .dmn and .form.json files; or one .zip of a procedure "
            "folder (`<code>/metadata.json` and its files, as processes/ holds them)"
        },
    )


class ProblemItemOut(Schema):
    message = fields.String(required=True)
    element_id = fields.String(allow_none=True)
    file = fields.String(allow_none=True)
    line = fields.Integer(allow_none=True)
    rule = fields.String(
        allow_none=True,
        metadata={
            "description": "the one-stop rule's id (`mot-cua/lane-role`, ...); null otherwise"
        },
    )


class PublishOut(Schema):
    procedure = fields.Nested(ProcedureOut, required=True)
    created = fields.Boolean(
        required=True, metadata={"description": "false: same as current version"}
    )
    warnings = fields.List(
        fields.Nested(ProblemItemOut),
        required=True,
        metadata={"description": "as in the validation's answer; publication went ahead"},
    )


class ValidateOut(Schema):
    problems = fields.List(
        fields.Nested(ProblemItemOut),
        required=True,
        metadata={"description": "what stops publication"},
    )
    warnings = fields.List(
        fields.Nested(ProblemItemOut),
        required=True,
        metadata={
            "description": "what the designer should know though it does not stop publication: "
            "a gateway whose conditions may all be false with no default flow, a message only "
            "another system can send"
        },
    )


class CheckExpressionIn(StrictSchema):
    expression = fields.String(required=True, validate=validate.Length(max=20_000))
    kind = fields.String(required=True, validate=validate.OneOf(["condition", "script"]))
    element_id = fields.String(load_default=None, allow_none=True)
    files = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        load_default=dict,
        metadata={"description": "the procedure's files by name (.bpmn, .dmn, .form.json)"},
    )
    process_id = fields.String(load_default=None, allow_none=True)


class CheckExpressionOut(Schema):
    problems = fields.List(
        fields.Nested(ProblemItemOut),
        required=True,
        metadata={"description": "why the sandbox refuses it; empty when it compiles"},
    )
    variables = fields.List(
        fields.String(), required=True, metadata={"description": "names it reads"}
    )
    unknown = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "names it reads that no step, form or event provides"},
    )
