"""POST a signed JSON body to a subscriber: http.client, a short timeout, no redirects followed."""

from __future__ import annotations

import hashlib
import hmac
import http.client
from urllib.parse import urlsplit

from engine.background.senders.base import SendFailed

SIGNATURE_HEADER = "X-MotCua-Signature"
DELIVERY_HEADER = "X-MotCua-Delivery"
EVENT_HEADER = "X-MotCua-Event"
SCHEMES = ("http", "https")


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of the body>`: the subscriber recomputes it to trust the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(
    url: str, body: bytes, *, secret: str, delivery_id: int, event: str, timeout: float
) -> int:
    """Send once; return the response status, or raise SendFailed when no response came."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise SendFailed(f"not an http(s) URL: {url!r}", permanent=True)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "MotCua-Webhook/1",
        SIGNATURE_HEADER: signature(secret, body),
        DELIVERY_HEADER: str(delivery_id),
        EVENT_HEADER: event,
    }
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
        return int(response.status)
    except (OSError, http.client.HTTPException) as exc:
        raise SendFailed(f"{type(exc).__name__}: {exc}") from exc
    finally:
        connection.close()
