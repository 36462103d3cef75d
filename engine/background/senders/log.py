"""A sender that only writes to the log: the default for SMS and Zalo, and for e-mail without
an SMTP host (a fresh install sends nothing, yet every notice is recorded and marked sent)."""

from __future__ import annotations

import logging

from engine.background.senders.base import Message

logger = logging.getLogger("engine.background.senders")


class LoggingSender:
    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, message: Message) -> None:
        logger.info(
            "%s notice %s to %s: %s", self.channel, message.id, message.recipient, message.subject
        )
