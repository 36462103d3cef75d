"""Query strings of the printable slips and registers."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from marshmallow import fields
from marshmallow import validate

from api.schemas.base import StrictSchema
from engine.rules.calendar import LOCAL_TZ

FORMATS = ("html", "pdf")


def _today() -> date:
    return datetime.now(LOCAL_TZ).date()


def _month_start() -> date:
    return _today().replace(day=1)


class PrintQuery(StrictSchema):
    format = fields.String(
        load_default="html",
        validate=validate.OneOf(FORMATS),
        metadata={"description": "html: the printable page; pdf: the same page as a PDF file"},
    )


class RegisterQuery(PrintQuery):
    unit = fields.String(
        required=True,
        validate=validate.Length(min=1, max=20),
        metadata={"description": "code of the receiving unit"},
    )
    date_from = fields.Date(
        data_key="from",
        load_default=_month_start,
        metadata={"description": "first day (default: the first of this month)"},
    )
    date_to = fields.Date(
        data_key="to", load_default=_today, metadata={"description": "last day (default: today)"}
    )
