"""What every sender takes and how it reports a failure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Message:
    id: int
    channel: str
    recipient: str
    subject: str
    body: str


class SendFailed(Exception):
    """The message did not leave; `permanent` when trying again cannot help (no address)."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Sender(Protocol):
    def send(self, message: Message) -> None: ...
