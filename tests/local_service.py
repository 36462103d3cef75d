"""A stand-in for another agency's system (a local HTTP server on 127.0.0.1, as
tests/background.py's webhook subscriber): it records every request and answers each path with
the answers given for it, in turn (the last one repeats), optionally after a delay."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from threading import Thread
from typing import Any


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: Any = None
    """JSON-encoded unless bytes; None: an empty body."""
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class LocalService:
    port: int = 0
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def answer(self, path: str, *answers: Answer) -> None:
        self.answers[path] = list(answers)

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]


@contextmanager
def local_service() -> Iterator[LocalService]:
    state = LocalService()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self._serve()

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self._serve()

        def _serve(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.requests.append(Request(self.command, self.path, dict(self.headers), body))
            path = self.path.split("?")[0]
            queue = state.answers.get(path) or [Answer(404, {"error": "no such path"})]
            answer = queue.pop(0) if len(queue) > 1 else queue[0]
            time.sleep(answer.delay)
            content = answer.body if isinstance(answer.body, bytes) else b""
            if answer.body is not None and not isinstance(answer.body, bytes):
                content = json.dumps(answer.body, ensure_ascii=False).encode()
            try:
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)
            except OSError:  # the caller gave up waiting (a timeout test)
                pass

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
