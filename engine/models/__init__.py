"""Tables, one module per topic; importing this package registers all of them on Base.metadata."""

from engine.models.attachments import Attachment
from engine.models.audit import AuditEntry
from engine.models.audit import LoginFailure
from engine.models.audit import LoginSession
from engine.models.audit import LookupFailure
from engine.models.background import Notification
from engine.models.background import Timer
from engine.models.background import WebhookDelivery
from engine.models.background import WebhookSubscription
from engine.models.core import Dossier
from engine.models.core import DossierCounter
from engine.models.core import Event
from engine.models.core import Procedure
from engine.models.core import ProcedureVersion
from engine.models.core import Task
from engine.models.core import Unit
from engine.models.core import User
from engine.models.core import UserRole
from engine.models.core import WorkflowState
from engine.models.incidents import Incident
from engine.models.lifecycle import DossierImport
from engine.models.lifecycle import SupplementRequest
from engine.models.messages import AwaitedEvent
from engine.models.messages import MessageDelivery
from engine.models.migrations import MigrationItem
from engine.models.migrations import MigrationJob
from engine.models.studio import ProcedureDraft

__all__ = [
    "Attachment",
    "AuditEntry",
    "AwaitedEvent",
    "Dossier",
    "DossierCounter",
    "DossierImport",
    "Event",
    "Incident",
    "LoginFailure",
    "LookupFailure",
    "LoginSession",
    "MessageDelivery",
    "MigrationItem",
    "MigrationJob",
    "Notification",
    "Procedure",
    "ProcedureDraft",
    "ProcedureVersion",
    "SupplementRequest",
    "Task",
    "Timer",
    "Unit",
    "User",
    "UserRole",
    "WebhookDelivery",
    "WebhookSubscription",
    "WorkflowState",
]
