"""Security tables: the audit log, recent failed logins, and page sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from engine.store.db import Base
from engine.store.db import utcnow


class AuditEntry(Base):
    """Who read or tried what, when, from where. No foreign keys: the log outlives its targets."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_dossier", "dossier_id", "at"),
        Index("ix_audit_log_user", "username", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None]
    username: Mapped[str] = mapped_column(String(80))
    """The account's name, or the name typed on a failed login."""
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str | None] = mapped_column(String(20))
    target_id: Mapped[int | None]
    dossier_id: Mapped[int | None]
    unit_id: Mapped[int | None]
    """The dossier's competent unit, for reads."""
    detail: Mapped[str | None] = mapped_column(String(200))
    ip: Mapped[str] = mapped_column(String(45))
    user_agent: Mapped[str] = mapped_column(String(300))


class LoginFailure(Base):
    """A failed login, kept for the rate-limit window only."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_username", "username", "at"),
        Index("ix_login_failure_ip", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    ip: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class LookupFailure(Base):
    """A public dossier lookup with a wrong code or key, kept for the rate-limit window only."""

    __tablename__ = "lookup_failure"
    __table_args__ = (Index("ix_lookup_failure_ip", "ip", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ip: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginSession(Base):
    """A page session on the server side, so logging out or an idle hour really ends it."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """sha256 of the random key the signed cookie holds; the key itself is never stored."""
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    password_stamp: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
