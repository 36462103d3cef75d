"""How outbox messages leave the platform: one sender per channel, chosen by the settings.

E-mail goes through SMTP when a host is configured; SMS and Zalo are adapters that log what they
would send until a provider's gateway is plugged in here (same `Sender` shape).
"""

from __future__ import annotations

from collections.abc import Mapping

from engine.background.senders.base import Message
from engine.background.senders.base import Sender
from engine.background.senders.base import SendFailed
from engine.background.senders.email import SmtpSender
from engine.background.senders.email import SmtpSettings
from engine.background.senders.log import LoggingSender


def build_senders(smtp: SmtpSettings | None) -> Mapping[str, Sender]:
    return {
        "email": SmtpSender(smtp) if smtp is not None else LoggingSender("email"),
        "sms": LoggingSender("sms"),
        "zalo": LoggingSender("zalo"),
    }


__all__ = [
    "LoggingSender",
    "Message",
    "SendFailed",
    "Sender",
    "SmtpSender",
    "SmtpSettings",
    "build_senders",
]
