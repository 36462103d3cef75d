"""What use cases and queries return: frozen plain data, never live ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any
from typing import Generic
from typing import TypeVar

from engine.errors import Problem

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int


@dataclass(frozen=True)
class UnitRef:
    code: str
    name: str


@dataclass(frozen=True)
class UserRef:
    id: int
    username: str
    full_name: str


@dataclass(frozen=True)
class UnitView:
    id: int
    code: str
    name: str
    kind: str
    parent_code: str | None


@dataclass(frozen=True)
class RoleGrantView:
    role: str
    unit: str


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    full_name: str
    roles: list[RoleGrantView]
    is_active: bool


@dataclass(frozen=True)
class VersionSummary:
    """One line of a procedure's history; the draft, when there is one, is a line too."""

    number: int | None
    """None for the draft."""
    content_hash: str
    published_at: datetime | None
    """None for the draft."""
    time_limit: int | None
    time_limit_unit: str | None
    status: str = "published"
    """published (the current version), superseded (an older one) or draft."""
    published_by: str | None = None
    """The publisher's full name (for the draft: who saved it last)."""
    note: str | None = None
    source: str | None = None
    """disk, api or studio; None for versions older than the studio."""
    open_dossiers: int = 0
    """Dossiers on this version that are not finished: they stay on it whatever is published."""
    saved_at: datetime | None = None
    """The draft's last save."""


@dataclass(frozen=True)
class ProcedureView:
    code: str
    name_vi: str
    name_en: str
    field: str
    version: int
    time_limit: int
    time_limit_unit: str
    process_id: str
    published_at: datetime
    fee: dict[str, Any] | None
    supplement_days: int
    national_code: str | None
    legal_basis: list[str]
    required_documents: list[dict[str, Any]]
    unconfirmed: list[str]


@dataclass(frozen=True)
class ProcedureDetail(ProcedureView):
    files: list[str]
    bpmn_xml: str
    versions: list[VersionSummary]
    contents: dict[str, str] = field(default_factory=dict)
    """The version's files by name, as published."""
    status: str = "published"
    """published when this is the current version, superseded for an older one."""
    note: str | None = None
    published_by: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class DraftView:
    """A procedure's draft as saved; `hash` is the base_hash of the next save."""

    code: str
    files: dict[str, str]
    metadata: dict[str, Any]
    hash: str
    saved_by: str | None
    saved_at: datetime


@dataclass(frozen=True)
class PublishResult:
    procedure: ProcedureView
    created: bool
    warnings: list[Problem] = field(default_factory=list)
    """What the designer should know though it did not stop publication (engine.bpmn.advice)."""


@dataclass(frozen=True)
class Checked:
    """A validation's answer: what stops publication, and what would not."""

    problems: list[Problem]
    warnings: list[Problem]


@dataclass(frozen=True)
class TaskView:
    id: int
    dossier_id: int
    dossier_code: str
    element_id: str
    name: str
    role: str
    unit: UnitRef
    assignee: UserRef | None
    state: str
    due_at: datetime | None
    created_at: datetime
    completed_at: datetime | None
    form_name: str | None
    form: dict[str, Any] | None
    applicant_name: str | None = None
    data: dict[str, Any] | None = None
    """The form data the step was completed with: set on a single task's read, once done."""
    item: dict[str, Any] | None = None
    """For one instance of a multi-instance step: the item it works on ({name, value})."""


@dataclass(frozen=True)
class EventView:
    id: int
    kind: str
    at: datetime
    step_name: str | None
    element_id: str | None
    actor: UserRef | None
    unit: UnitRef | None
    to_unit: UnitRef | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class FeeView:
    amount: int | None
    paid: bool
    receipt_number: str | None


@dataclass(frozen=True)
class DeliveryView:
    method: str | None
    tracking_number: str | None
    address: str | None


@dataclass(frozen=True)
class ReceptionPointView:
    kind: str
    name: str | None


@dataclass(frozen=True)
class SupplementView:
    """The supplement request the dossier is waiting on."""

    reason: str
    items: list[str]
    requested_at: datetime
    applicant_due_at: datetime


@dataclass(frozen=True)
class WaitView:
    """An event the dossier's workflow waits on: a message or signal from outside, a condition,
    a timer (with its due time)."""

    kind: str
    name: str
    element_id: str
    due_at: datetime | None = None


@dataclass(frozen=True)
class DossierView:
    id: int
    code: str
    status: str
    status_code: int
    status_label: str
    channel: str
    procedure_code: str
    procedure_name: str
    procedure_version: int
    applicant: dict[str, Any]
    data: dict[str, Any]
    receiving_unit: UnitRef
    competent_unit: UnitRef
    received_at: datetime
    due_at: datetime | None
    finished_at: datetime | None
    tasks: list[TaskView]
    history: list[EventView] | None = None
    lookup_key: str = ""
    original_due_at: datetime | None = None
    returned_at: datetime | None = None
    paused_days: int = 0
    timeliness: str = ""
    fee: FeeView | None = None
    delivery: DeliveryView | None = None
    reception_point: ReceptionPointView | None = None
    supplement: SupplementView | None = None
    waiting_for: list[WaitView] = field(default_factory=list)
