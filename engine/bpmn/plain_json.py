"""JSON text of a designer's data: what scripts' `json_dumps` writes and what service tasks
send. The script helpers' own types are written as text: ISO dates and times, exact decimals."""

from __future__ import annotations

import json
from datetime import date
from datetime import time
from datetime import timedelta
from decimal import Decimal
from typing import Any


def _plain(value: Any) -> Any:
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    raise TypeError(f"{type(value).__name__} cannot be written as JSON")


def dumps(value: Any, indent: int | None = None) -> str:
    """Vietnamese letters kept as they are; only `indent` may be chosen."""
    return json.dumps(value, ensure_ascii=False, indent=indent, default=_plain)


def loads(text: str | bytes) -> Any:
    return json.loads(text)
