"""One smorest blueprint per resource under /api/v1."""

from __future__ import annotations

from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser


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
