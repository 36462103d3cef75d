"""What dossiers wait for (messages, signals, conditions) and the messages delivered to them from
outside: plain rows, so finding the dossiers a message is for never loads a workflow."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from engine.store.db import Base
from engine.store.db import JsonType
from engine.store.db import utcnow


class AwaitedEvent(Base):
    """An event a dossier's workflow waits on now, kept in step after every move."""

    __tablename__ = "awaited_event"
    __table_args__ = (
        Index("ix_awaited_event_match", "kind", "name", "correlation_key"),
        Index("ix_awaited_event_dossier", "dossier_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(12))
    """message, signal or condition."""
    name: Mapped[str] = mapped_column(String(300))
    correlation_key: Mapped[str | None] = mapped_column(String(64))
    """The digest of a message's expected correlation values (engine.instance.awaited); None
    while its conversation fixed none: then the dossier's code addresses it."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MessageDelivery(Base):
    """A message from outside received by one dossier: its `message_id` is delivered to that
    dossier once, and a replay answers from these rows."""

    __tablename__ = "message_delivery"
    __table_args__ = (
        UniqueConstraint("message_id", "dossier_id", name="uq_message_delivery"),
        Index("ix_message_delivery_dossier", "dossier_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(300))
    correlation: Mapped[dict[str, Any]]
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    delivered_at: Mapped[datetime]
    caught_by: Mapped[list[str]] = mapped_column(JsonType)
    """The elements that received it."""
    payload: Mapped[dict[str, Any]]
