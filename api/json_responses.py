"""JSON responses written by orjson, byte for byte what a client parses from Flask's own.

Why: every API answer goes through `jsonify`, and the json module's encoder was the largest
single piece of a completion's response. orjson writes the same document (keys sorted, no
spaces) as UTF-8 instead of `\\u` escapes. Dates keep Flask's format (HTTP dates, through
the provider's `default`), and so do dataclasses. A value orjson refuses (an integer past 64
bits, a dict with keys that are not strings) is written by Flask's provider as before.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider

_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_APPEND_NEWLINE
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)


class OrjsonProvider(DefaultJSONProvider):
    """Flask's JSON provider with `response` written by orjson (outside debug mode, where
    Flask indents its answers for reading)."""

    def response(self, *args: Any, **kwargs: Any) -> Response:
        if self.compact is False or (self.compact is None and self._app.debug):
            return super().response(*args, **kwargs)
        obj = self._prepare_response_obj(args, kwargs)
        try:
            body = orjson.dumps(obj, default=self.default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().response(*args, **kwargs)
        return self._app.response_class(body, mimetype=self.mimetype)
