"""Helpers for the background-work tests: publish a fixture diagram, receive a dossier on it,
read the queue tables, and a stand-in subscriber (a local HTTP server) for webhooks."""

from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.catalogue.procedures import ProcedureMetadata
from engine.catalogue.procedures import publish
from engine.dossiers.receive import Submission
from engine.dossiers.receive import submit
from engine.instance import notices
from engine.models import Event
from engine.models import Notification
from engine.models import Task
from engine.models import Timer
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork
from engine.views import DossierView

BPMN_DIR = Path(__file__).resolve().parent / "engine" / "bpmn"
APPLICANT = {
    "full_name": "Lê Thị Cúc",
    "id_number": "001234567892",
    "phone": "0912345678",
    "email": "cuc@example.vn",
}

NewUow = Callable[[], UnitOfWork]


def publish_fixture(
    new_uow: NewUow,
    designer: Actor,
    process_id: str,
    *,
    days: int = 1,
    folder: Path = BPMN_DIR,
    form: str = "check_dossier.form.json",
    names: tuple[str, str] | None = None,
) -> str:
    """Publish <folder>/<process_id>.bpmn (tests/engine/bpmn by default, with its `form`) as a
    procedure of the same code, named `names` (Vietnamese, English) if given; returns the code."""
    files = {
        f"{process_id}.bpmn": (folder / f"{process_id}.bpmn").read_bytes(),
        form: (folder / form).read_bytes(),
    }
    name_vi, name_en = names or (f"Thử nghiệm {process_id}", f"Test {process_id}")
    meta = ProcedureMetadata(
        code=process_id,
        name_vi=name_vi,
        name_en=name_en,
        field="civil_status",
        time_limit=days,
        process_id=process_id,
    )
    with new_uow() as uow:
        publish(uow, designer, meta, files)
    return process_id


def receive(
    new_uow: NewUow,
    receptionist: Actor,
    code: str,
    applicant: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> DossierView:
    with new_uow() as uow:
        return submit(
            uow,
            receptionist,
            Submission(
                procedure_code=code,
                applicant=applicant or APPLICANT,
                channel="online",
                data=data or {},
            ),
        )


def rows(new_uow: NewUow, query: Any) -> list[Any]:
    """The rows of `query`, detached with their loaded values (the unit of work rolls back)."""
    with new_uow() as uow:
        found = list(uow.session.scalars(query))
        uow.session.expunge_all()
        return found


def timers_of(new_uow: NewUow, dossier_id: int) -> list[Timer]:
    return rows(new_uow, select(Timer).where(Timer.dossier_id == dossier_id).order_by(Timer.id))


def events_of(new_uow: NewUow, dossier_id: int, kind: str) -> list[Event]:
    return rows(
        new_uow,
        select(Event).where(Event.dossier_id == dossier_id, Event.kind == kind).order_by(Event.id),
    )


def open_steps(new_uow: NewUow, dossier_id: int) -> list[str]:
    with new_uow() as uow:
        return sorted(
            uow.session.scalars(
                select(Task.element_id).where(Task.dossier_id == dossier_id, Task.state == "open")
            )
        )


def enqueue_notice(
    session: Session, recipient: str, *, dossier_id: int | None = None, body: Any = "Kính gửi"
) -> None:
    """A received-notice e-mail to `recipient` (the write-behind tests' row that waits)."""
    notices.enqueue(
        session,
        kind="received",
        channel="email",
        recipient=recipient,
        subject="Hồ sơ đã được tiếp nhận",
        body=body,
        now=utcnow(),
        dossier_id=dossier_id,
    )


def notifications(new_uow: NewUow, **where: Any) -> list[Notification]:
    query = select(Notification).order_by(Notification.id)
    for name, value in where.items():
        query = query.where(getattr(Notification, name) == value)
    return rows(new_uow, query)


@dataclass
class Subscriber:
    """What a stand-in subscriber received, and the status codes it answers with, in turn (the
    last one repeats)."""

    url: str
    answers: list[int]
    received: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def subscriber(*answers: int) -> Iterator[Subscriber]:
    """A local HTTP server on 127.0.0.1 that records every POST (headers and body)."""
    state = Subscriber(url="", answers=list(answers) or [200])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
            code = state.answers.pop(0) if len(state.answers) > 1 else state.answers[0]
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/mot-cua"
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def payload(request: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(request["body"]))
