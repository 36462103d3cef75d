"""One smorest blueprint per resource under /api/v1."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import Schema
from webargs.flaskparser import FlaskParser
from werkzeug.routing import IntegerConverter
from werkzeug.routing import Map

from api.schemas.base import MAX_ID


class StrictParser(FlaskParser):
    """Query strings follow their schema's `unknown = RAISE`: a misspelt filter is a 422, not a
    silently unfiltered list (webargs would EXCLUDE unknown query keys by default)."""

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": None,
        "querystring": None,
    }


class Blueprint(SmorestBlueprint):  # type: ignore[misc]
    ARGUMENTS_PARSER = StrictParser()

    def arguments(self, schema: type[Schema] | Schema, *args: Any, **kwargs: Any) -> Any:
        """Given a Schema class, webargs builds an instance per request (deep-copying every
        field, about a tenth of a task completion's HTTP work); one built here serves them all."""
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)


class IdConverter(IntegerConverter):
    """`<int:...>` in every URL: an id larger than the id columns hold matches no route (404)
    instead of overflowing the query (a 500 on PostgreSQL and SQLite alike)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)
