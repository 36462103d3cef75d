"""Shared schema pieces: strictness, local-time output, pagination."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import RAISE
from marshmallow import Schema
from marshmallow import fields
from marshmallow import validate

from engine.rules.calendar import LOCAL_TZ

MAX_PER_PAGE = 100
MAX_PAGE = 100_000
MAX_ID = 2**31 - 1
"""Ids are PostgreSQL `integer` columns: no row has a larger id, and a larger number would fail
the query (SQLite overflows past 64 bits) instead of finding nothing."""
ID_RANGE = validate.Range(min=1, max=MAX_ID)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class LocalDateTime(fields.DateTime):
    """ISO 8601 in Vietnam time (+07:00), the time users read on slips and screens."""

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else value.astimezone(LOCAL_TZ).isoformat()


class PageQuery(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class PageOut(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class UnitRefOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class UserRefOut(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    full_name = fields.String(required=True)


def page_bounds(args: dict[str, Any]) -> tuple[int, int]:
    """(offset, limit) from validated page and per_page."""
    return (args["page"] - 1) * args["per_page"], args["per_page"]


def page_body(page: Any, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "items": page.items,
        "total": page.total,
        "page": args["page"],
        "per_page": args["per_page"],
    }
