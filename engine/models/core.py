"""Tables. Workflow state lives apart from the read tables (dossier, task, event) pages query."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from engine.store.db import Base
from engine.store.db import utcnow


class Unit(Base):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    full_name: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    tokens_revoked_at: Mapped[datetime | None]
    """API logout: bearer tokens issued before this moment are refused."""


class UserRole(Base):
    __tablename__ = "user_role"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "unit_id"),
        Index("ix_user_role_role_unit", "role", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(40))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))


class Procedure(Base):
    __tablename__ = "procedure"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("procedure_version.id", use_alter=True, name="fk_procedure_current_version")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seed_hash: Mapped[str | None] = mapped_column(String(64))
    """What processes/<code>/ held when `flask prepare` last read it (migration 0012_studio):
    the folder is published again only when it changes, never over a designer's later version."""


class ProcedureVersion(Base):
    """An immutable published version: its files and the catalogue data in force for it."""

    __tablename__ = "procedure_version"
    __table_args__ = (UniqueConstraint("procedure_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"))
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    process_id: Mapped[str] = mapped_column(String(120))
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    field: Mapped[str] = mapped_column(String(40))
    time_limit_days: Mapped[int]
    """The statutory limit's amount: working days, or working hours per `time_limit_unit`."""
    time_limit_unit: Mapped[str] = mapped_column(String(5), default="days", server_default="days")
    files: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    fee_rule: Mapped[dict[str, Any] | None]
    supplement_days: Mapped[int | None]
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # the studio (migration 0012_studio)
    note: Mapped[str | None] = mapped_column(Text)
    """The change note the designer gave when publishing."""
    source: Mapped[str | None] = mapped_column(String(10))
    """Where it was published from: disk (processes/), api or studio; None before 0012."""
    # what the procedure states besides its diagram (migration 0013_procedure_details)
    national_code: Mapped[str | None] = mapped_column(String(20), index=True)
    """Its code in the national procedure database (e.g. 1.004222); None when it has none."""
    details: Mapped[dict[str, Any] | None]
    """legal_basis, required_documents, unconfirmed: see ProcedureMetadata."""
    # retiring (migration 0017_version_moves)
    retired_at: Mapped[datetime | None]
    """Set when a designer retired it: it takes no new dossiers; running ones go on."""
    retired_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


LIST_COLUMNS = (
    "due_at",
    "code",
    "status",
    "procedure_id",
    "channel",
    "reception_point_kind",
    "search_text",
)
"""What the dossier list filters, sorts and searches by besides units and reception time."""


class Dossier(Base):
    __tablename__ = "dossier"
    __table_args__ = (
        Index("ix_dossier_status_unit", "status", "competent_unit_id"),
        # leaders' figures: a unit's dossiers received, or ended, in a period (0015)
        Index("ix_dossier_unit_received", "competent_unit_id", "received_at"),
        Index("ix_dossier_unit_finished", "competent_unit_id", "finished_at"),
        # The dossier list (0014_dossier_search): a unit's dossiers, and those received there
        # for another unit, with what the list filters, sorts and searches by, read from the
        # index alone on PostgreSQL (engine.queries.dossier_list).
        Index(
            "ix_dossier_competent_list",
            "competent_unit_id",
            "received_at",
            "id",
            postgresql_include=list(LIST_COLUMNS),
        ),
        Index(
            "ix_dossier_received_elsewhere",
            "receiving_unit_id",
            "received_at",
            "id",
            postgresql_include=[*LIST_COLUMNS, "competent_unit_id"],
            postgresql_where=text("receiving_unit_id <> competent_unit_id"),
            sqlite_where=text("receiving_unit_id <> competent_unit_id"),
        ),
        # Searches on PostgreSQL: "contains" through trigrams (pg_trgm), a code's start through
        # a pattern index whatever the collation; SQLite scans.
        Index(
            "ix_dossier_search_text",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
        Index(
            "ix_dossier_code_pattern", "code", postgresql_ops={"code": "text_pattern_ops"}
        ).ddl_if(dialect="postgresql"),
        # open dossiers by due time, and the figures of all time per unit (0018)
        Index("ix_dossier_unit_status_due", "competent_unit_id", "status", "due_at"),
        # The heat map, hints and before/after read one version's dossiers by receipt, in the
        # caller's units, from the index alone (0016, covering since 0019).
        Index(
            "ix_dossier_version_scope",
            "procedure_version_id",
            "received_at",
            postgresql_include=["id", "competent_unit_id", "receiving_unit_id"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"))
    procedure_version_id: Mapped[int] = mapped_column(ForeignKey("procedure_version.id"))
    spec_key: Mapped[str] = mapped_column(String(200))
    """Which parsed spec runs this dossier (files hash and process id): a cache key, no join."""
    status: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(12))
    applicant: Mapped[dict[str, Any]]
    data: Mapped[dict[str, Any]]
    receiving_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    competent_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    received_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    lock_version: Mapped[int] = mapped_column(default=1)
    # lifecycle (migration 0003_lifecycle)
    lookup_key: Mapped[str] = mapped_column(String(8), index=True, unique=True)
    """Short random key a citizen types with the code to track the dossier."""
    reception_point_kind: Mapped[str] = mapped_column(String(20), default="counter")
    reception_point_name: Mapped[str | None] = mapped_column(String(200))
    original_due_at: Mapped[datetime | None]
    """The statutory due time (moved by supplement pauses, never by an apology)."""
    paused_days: Mapped[int] = mapped_column(default=0)
    returned_at: Mapped[datetime | None]
    fee_amount: Mapped[int | None]
    fee_paid: Mapped[bool] = mapped_column(default=False)
    fee_receipt_number: Mapped[str | None] = mapped_column(String(60))
    delivery_method: Mapped[str | None] = mapped_column(String(20))
    delivery_tracking_number: Mapped[str | None] = mapped_column(String(60))
    delivery_address: Mapped[str | None] = mapped_column(String(300))
    # deadline watch (migration 0003_background)
    warned_at: Mapped[datetime | None]
    # the dossier list's search (migration 0014_dossier_search)
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    """engine.rules.folding.search_text of the code and applicant: lower-case, accent-free, so
    "nguyen van an" finds "Nguyễn Văn An"; written wherever the applicant is."""
    # leaders' figures (migration 0018_dossier_timeliness): set once, when the dossier finishes
    timeliness: Mapped[str | None] = mapped_column(String(10))
    """early, on_time or late against the statutory due time (engine.rules.timeliness)."""
    working_hours: Mapped[float | None]
    """Office hours from receipt to the end, from the one calendar."""

    __mapper_args__ = {"version_id_col": lock_version}


class DossierCounter(Base):
    """Daily sequence per receiving unit, for dossier codes."""

    __tablename__ = "dossier_counter"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    day: Mapped[str] = mapped_column(String(6), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class WorkflowState(Base):
    """The serialized SpiffWorkflow instance, without its spec; only the write path reads it."""

    __tablename__ = "workflow_state"

    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True
    )
    serializer_version: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(Text)
    steps: Mapped[int] = mapped_column(default=0)
    """Task completions and timer firings so far (not a receipt or an ending)."""


class Task(Base):
    """One row per human task, kept in step with the workflow by the write path."""

    __tablename__ = "task"
    __table_args__ = (
        # The inbox reads one range of these per grant or led unit, in its order (0005).
        Index(
            "ix_task_queue_open",
            "unit_id",
            "role",
            "due_at",
            "id",
            postgresql_where=text("state = 'open' AND assignee_id IS NULL"),
            sqlite_where=text("state = 'open' AND assignee_id IS NULL"),
        ),
        Index(
            "ix_task_unit_open",
            "unit_id",
            "due_at",
            "id",
            postgresql_where=text("state = 'open'"),
            sqlite_where=text("state = 'open'"),
        ),
        Index(
            "ix_task_escalated_open",
            "unit_id",
            "due_at",
            "id",
            postgresql_where=text("state = 'open' AND escalated_at IS NOT NULL"),
            sqlite_where=text("state = 'open' AND escalated_at IS NOT NULL"),
        ),
        # The deadline sweeps read the earliest open tasks not yet escalated / warned (0007).
        Index(
            "ix_task_to_escalate",
            "due_at",
            "id",
            postgresql_where=text("state = 'open' AND escalated_at IS NULL"),
            sqlite_where=text("state = 'open' AND escalated_at IS NULL"),
        ),
        Index(
            "ix_task_to_warn",
            "due_at",
            "id",
            postgresql_where=text("state = 'open' AND warned_at IS NULL"),
            sqlite_where=text("state = 'open' AND warned_at IS NULL"),
        ),
        Index("ix_task_assignee", "assignee_id", "state", "due_at", "id"),
        Index("ix_task_dossier", "dossier_id", "state"),
        # The heat map reads one version's tasks by dossier, every column it needs in the
        # index (0019).
        Index(
            "ix_task_dossier_times",
            "dossier_id",
            postgresql_include=["element_id", "state", "created_at", "taken_at", "completed_at"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"))
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(40))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    state: Mapped[str] = mapped_column(String(12), default="open")
    form: Mapped[str | None] = mapped_column(String(200))
    due_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    taken_at: Mapped[datetime | None]
    """The first claim or reassignment: waiting ends, working begins. Kept in step with the
    `task_claimed` / `task_reassigned` events by a trigger on `event` (migration 0019)."""
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # deadline watch (migration 0003_background)
    warned_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    # the item of a multi-instance step this task works on (migration 0010_task_item)
    item: Mapped[dict[str, Any] | None]


class Event(Base):
    """Append-only audit trail: who did what, when, from which unit to which."""

    __tablename__ = "event"
    __table_args__ = (
        # When someone first took each task: the heat map's waiting time ends there (0016).
        Index(
            "ix_event_task_taken",
            "task_id",
            "at",
            postgresql_where=text("kind IN ('task_claimed', 'task_reassigned')"),
            sqlite_where=text("kind IN ('task_claimed', 'task_reassigned')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossier.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    element_id: Mapped[str | None] = mapped_column(String(120))
    step_name: Mapped[str | None] = mapped_column(String(300))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)

    task: Mapped[Task | None] = relationship(lazy="raise")
    """Set instead of task_id when the task is new: the flush orders the inserts."""
