"""The dossier list's query string: search, filters, sort, page."""

from __future__ import annotations

from marshmallow import fields
from marshmallow import validate

from api.schemas.base import PageQuery
from engine.dossiers.receive import CHANNELS
from engine.dossiers.receive import RECEPTION_POINT_KINDS
from engine.queries.dossier_list import DEFAULT_SORT
from engine.queries.dossier_list import SORTS
from engine.queries.search import MAX_QUERY_LENGTH
from engine.rules.status import STATUSES


class DossierQuery(PageQuery):
    q = fields.String(
        validate=validate.Length(max=MAX_QUERY_LENGTH),
        metadata={
            "description": "part of a dossier code (any case), or of the applicant's name (with "
            "or without Vietnamese accents), ID number or phone"
        },
    )
    status = fields.String(validate=validate.OneOf(list(STATUSES)))
    procedure = fields.String(
        validate=validate.Length(max=80), metadata={"description": "a procedure code"}
    )
    received_from = fields.Date(
        data_key="from",
        metadata={"description": "received on or after this day (YYYY-MM-DD, Vietnam time)"},
    )
    received_to = fields.Date(
        data_key="to",
        metadata={"description": "received on or before this day (YYYY-MM-DD, Vietnam time)"},
    )
    unit = fields.String(
        validate=validate.Length(max=20),
        metadata={"description": "a unit code: dossiers received or handled there"},
    )
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    point = fields.String(
        validate=validate.OneOf(RECEPTION_POINT_KINDS),
        metadata={"description": "the kind of reception point the dossier was taken in at"},
    )
    sort = fields.String(
        load_default=DEFAULT_SORT,
        validate=validate.OneOf(SORTS),
        metadata={
            "description": "received_at, due_at (no due time last), code or status (national "
            "order); a leading '-' for descending; ties by id. Default: newest first"
        },
    )
