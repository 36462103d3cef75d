"""The outbox: notices are rows written with the change, sent after it by the dispatcher through
the channel's sender, retried with backoff; e-mail goes through SMTP when a host is set."""

from __future__ import annotations

import socketserver
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from threading import Thread
from typing import Any

from engine.background import outbox
from engine.background.senders import LoggingSender
from engine.background.senders import Message
from engine.background.senders import SendFailed
from engine.background.senders import SmtpSender
from engine.background.senders import SmtpSettings
from engine.background.senders import build_senders
from engine.instance import notices
from engine.store.db import utcnow
from tests.background import APPLICANT
from tests.background import notifications
from tests.background import publish_fixture
from tests.background import receive


class Recorder:
    """A stand-in SMS gateway: fails the first `failures` messages, records the rest."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.sent: list[Message] = []

    def send(self, message: Message) -> None:
        if self.failures:
            self.failures -= 1
            raise SendFailed("gateway busy")
        self.sent.append(message)


def test_receiving_a_dossier_queues_a_notice_to_each_contact_of_the_applicant(new_uow, actor):
    code = publish_fixture(new_uow, actor("thietke"), "step_limit")
    dossier = receive(new_uow, actor("tiepnhan1"), code)

    queued = notifications(new_uow, dossier_id=dossier.id)
    assert [(n.kind, n.channel, n.recipient, n.status) for n in queued] == [
        ("received", "email", "cuc@example.vn", "pending"),
        ("received", "sms", "0912345678", "pending"),
    ]
    assert queued[0].subject == f"Hồ sơ {dossier.code} đã được tiếp nhận"
    assert queued[0].body.startswith("Kính gửi Lê Thị Cúc: hồ sơ mã")


def test_an_applicant_without_contacts_gets_no_notice(new_uow, actor):
    code = publish_fixture(new_uow, actor("thietke"), "step_limit")
    applicant = {"full_name": "Phạm Văn Dũng", "id_number": "001234567893"}
    dossier = receive(new_uow, actor("tiepnhan1"), code, applicant)

    assert notifications(new_uow, dossier_id=dossier.id) == []


def test_dispatch_sends_each_notice_once_and_retries_a_failure_with_backoff(new_uow, actor):
    code = publish_fixture(new_uow, actor("thietke"), "step_limit")
    receive(new_uow, actor("tiepnhan1"), code)
    email, sms = Recorder(), Recorder(failures=1)
    senders = {"email": email, "sms": sms, "zalo": LoggingSender("zalo")}
    now = utcnow() + timedelta(seconds=1)

    first = outbox.dispatch(new_uow, senders, now=now)
    assert (first.sent, first.retrying, first.failed) == (1, 1, 0)
    waiting = notifications(new_uow, channel="sms")[0]
    assert (waiting.status, waiting.attempts, waiting.last_error) == ("pending", 1, "gateway busy")
    assert waiting.next_attempt_at == now + timedelta(seconds=30)

    assert outbox.dispatch(new_uow, senders, now=now + timedelta(seconds=29)).sent == 0
    assert outbox.dispatch(new_uow, senders, now=now + timedelta(seconds=30)).sent == 1

    assert [m.recipient for m in email.sent] == ["cuc@example.vn"]
    assert [m.recipient for m in sms.sent] == ["0912345678"]
    done = notifications(new_uow, channel="sms")[0]
    assert (done.status, done.attempts, done.last_error) == ("sent", 2, None)


def test_a_notice_to_an_account_without_an_address_fails_without_retrying(new_uow):
    with new_uow() as uow:
        uow.begin_write()
        notices.enqueue(
            uow.session,
            kind="task_escalated",
            channel="email",
            recipient="lanhdao1",
            subject="Quá hạn",
            body="…",
            now=utcnow(),
        )
        uow.commit()
    senders = build_senders(SmtpSettings(host="127.0.0.1", port=9, security="none"))

    report = outbox.dispatch(new_uow, senders, now=utcnow() + timedelta(seconds=1))

    assert (report.sent, report.retrying, report.failed) == (0, 0, 1)
    [notice] = notifications(new_uow, kind="task_escalated")
    assert notice.status == "failed"
    assert "no e-mail address" in notice.last_error


@contextmanager
def smtp_relay() -> Iterator[dict[str, Any]]:
    """A minimal SMTP server on 127.0.0.1 that keeps what it is given: a stand-in relay."""
    kept: dict[str, Any] = {"recipients": [], "messages": []}

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            self.wfile.write(b"220 relay.test ESMTP\r\n")
            while line := self.rfile.readline():
                verb = line[:4].upper()
                if verb == b"EHLO":
                    self.wfile.write(b"250-relay.test\r\n250 8BITMIME\r\n")
                elif verb == b"RCPT":
                    kept["recipients"].append(line.decode().split(":", 1)[1].strip())
                    self.wfile.write(b"250 OK\r\n")
                elif verb == b"DATA":
                    self.wfile.write(b"354 go on\r\n")
                    data = b""
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        data += chunk
                    kept["messages"].append(data.decode())
                    self.wfile.write(b"250 queued\r\n")
                elif verb == b"QUIT":
                    self.wfile.write(b"221 bye\r\n")
                    return
                else:
                    self.wfile.write(b"250 OK\r\n")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    kept["port"] = server.server_address[1]
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield kept
    finally:
        server.shutdown()
        server.server_close()


def test_email_to_the_applicant_goes_through_the_smtp_relay():
    with smtp_relay() as relay:
        sender = SmtpSender(
            SmtpSettings(
                host="127.0.0.1", port=relay["port"], security="none", sender="motcua@xa.test"
            )
        )
        sender.send(Message(7, "email", APPLICANT["email"], "Hồ sơ đã được tiếp nhận", "Kính gửi"))

    assert relay["recipients"] == ["<cuc@example.vn>"]
    [message] = relay["messages"]
    assert "From: motcua@xa.test" in message
    assert "Subject: =?utf-8?" in message  # Vietnamese subject, encoded
