"""`http/get` and `http/post`: JSON over HTTP(S), to allowlisted hosts only. Each attempt has a
timeout; a failure that may pass (no answer, a 5xx, a 429) is tried again a bounded number of
times; redirects are not followed (they could lead off the allowlist); answers are capped."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from time import sleep
from typing import Any
from urllib.parse import SplitResult
from urllib.parse import urlsplit

from engine.bpmn import plain_json
from engine.bpmn.connectors.base import Connector
from engine.bpmn.connectors.base import ConnectorFailed
from engine.bpmn.connectors.base import ConnectorSettings

SCHEMES = ("http", "https")
MAX_ANSWER_BYTES = 1024 * 1024
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "MotCua-Connector/1"


@dataclass(frozen=True)
class _Answer:
    status: int
    reason: str
    body: bytes


def request_json(
    settings: ConnectorSettings,
    method: str,
    url: Any,
    *,
    allowed_hosts: frozenset[str],
    body: Any = None,
    headers: Any = None,
) -> Any:
    """The JSON answer of a 2xx (an empty one is null); anything else is ConnectorFailed."""
    parts = _checked_url(url, allowed_hosts)
    sent_headers = {"Accept": "application/json", "User-Agent": USER_AGENT, **_headers(headers)}
    payload = None
    if method == "POST":
        payload = plain_json.dumps(body).encode()
        sent_headers.setdefault("Content-Type", "application/json; charset=utf-8")
    attempts = max(0, settings.retries) + 1
    failure = ""
    for attempt in range(attempts):
        if attempt:
            sleep(settings.retry_backoff_seconds * 2 ** (attempt - 1))
        answer = _attempt(parts, method, payload, sent_headers, settings.timeout_seconds)
        if isinstance(answer, str):
            failure = answer
            continue
        if 200 <= answer.status < 300:
            return _json_of(answer)
        failure = f"{answer.status} {answer.reason}".strip()
        if answer.status not in RETRIED_STATUSES:
            raise ConnectorFailed(
                f"máy chủ trả lời {failure}", f"the server answered {failure}{_redirect(answer)}"
            )
    raise ConnectorFailed(
        f"không thành công sau {attempts} lần thử, mỗi lần chờ tối đa "
        f"{settings.timeout_seconds:g} giây",
        f"no success after {attempts} attempts of up to {settings.timeout_seconds:g} s: {failure}",
    )


def _checked_url(url: Any, allowed_hosts: frozenset[str]) -> SplitResult:
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in SCHEMES or not parts.hostname:
        raise ConnectorFailed(f"địa chỉ không hợp lệ: {url!r}", "the url must be http(s)://host/…")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ConnectorFailed(f"cổng không hợp lệ: {url!r}", "the url has a bad port") from None
    if parts.hostname not in allowed_hosts and f"{parts.hostname}:{port}" not in allowed_hosts:
        raise ConnectorFailed(
            f"máy chủ '{parts.hostname}' không nằm trong danh sách được phép gọi",
            f"host '{parts.hostname}' is not in CONNECTOR_ALLOWED_HOSTS",
        )
    return parts


def _headers(headers: Any) -> dict[str, str]:
    if headers is None:
        return {}
    if not isinstance(headers, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in headers.items()
    ):
        raise ConnectorFailed("headers phải là từ điển chuỗi", "headers must map text to text")
    return dict(headers)


def _attempt(
    parts: SplitResult, method: str, payload: bytes | None, headers: dict[str, str], timeout: float
) -> _Answer | str:
    """One request: its answer, or why none came (a reason worth another attempt)."""
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname or "", parts.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        body = response.read(MAX_ANSWER_BYTES + 1)
        return _Answer(int(response.status), str(response.reason or ""), body)
    except (OSError, http.client.HTTPException) as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()


def _json_of(answer: _Answer) -> Any:
    if len(answer.body) > MAX_ANSWER_BYTES:
        raise ConnectorFailed(
            f"câu trả lời lớn hơn {MAX_ANSWER_BYTES} byte",
            f"the answer is larger than {MAX_ANSWER_BYTES} bytes",
        )
    if not answer.body.strip():
        return None
    try:
        return json.loads(answer.body)
    except ValueError:
        pass
    raise ConnectorFailed("câu trả lời không phải JSON", "the answer is not JSON")


def _redirect(answer: _Answer) -> str:
    return "; redirects are not followed" if 300 <= answer.status < 400 else ""


class HttpGet(Connector):
    """GET `url` (with optional `headers`); the JSON answer goes to the result variable."""

    required = ("url",)
    optional = ("headers",)

    def call(self, params: dict[str, Any]) -> Any:
        return request_json(
            self.settings,
            "GET",
            params["url"],
            allowed_hosts=self.settings.allowed_hosts,
            headers=params.get("headers"),
        )


class HttpPost(Connector):
    """POST `body` as JSON to `url` (with optional `headers`); the JSON answer is the result."""

    required = ("url",)
    optional = ("body", "headers")

    def call(self, params: dict[str, Any]) -> Any:
        return request_json(
            self.settings,
            "POST",
            params["url"],
            allowed_hosts=self.settings.allowed_hosts,
            body=params.get("body"),
            headers=params.get("headers"),
        )
