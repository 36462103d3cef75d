"""Tables, one module per topic; importing this package registers all of them on Base.metadata."""

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

__all__ = [
    "Dossier",
    "DossierCounter",
    "Event",
    "Procedure",
    "ProcedureVersion",
    "Task",
    "Unit",
    "User",
    "UserRole",
    "WorkflowState",
]
