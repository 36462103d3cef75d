"""When to try again after a failed attempt: exponential backoff with a ceiling."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

BASE_SECONDS = 30
CEILING_SECONDS = 6 * 3600


def retry_at(now: datetime, attempts: int) -> datetime:
    """30 s after the first failure, then 1, 2, 4 … minutes, never more than six hours."""
    delay = BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return now + timedelta(seconds=min(delay, CEILING_SECONDS))
