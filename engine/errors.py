"""Domain errors: each has a stable code so the API can map it once to a status and a message."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any


class DomainError(Exception):
    """Base of every error the engine raises on purpose."""

    code = "domain_error"

    def __init__(self, detail: str, **params: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.params = params


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class SessionExpired(Unauthenticated):
    """A page session that ended: idle too long, too old, logged out, or the password changed."""

    code = "session_expired"


class TooManyAttempts(DomainError):
    """Too many failed logins or public lookups lately; `retry_after` says in how many seconds
    to try again."""

    code = "too_many_attempts"

    def __init__(self, detail: str, retry_after: int, **params: Any) -> None:
        super().__init__(detail, retry_after=retry_after, **params)
        self.retry_after = retry_after


class Conflict(DomainError):
    code = "conflict"


class InvalidData(DomainError):
    """Input that breaks a rule; `errors` maps a field name to its messages."""

    code = "invalid_data"

    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None, **params: Any):
        super().__init__(detail, **params)
        self.errors = errors or {}


class BadQuery(InvalidData):
    """A query's parameters that name nothing or contradict each other (a 400, not a 422: no
    body was sent, the address itself is wrong)."""

    code = "bad_query"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a diagram, named by file, element and line where known."""

    message: str
    element_id: str | None = None
    file: str | None = None
    line: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    rule: str | None = None
    """The one-stop rule that found it (`mot-cua/...`, engine.bpmn.checks); None for others."""


class DiagramInvalid(DomainError):
    """A procedure upload that cannot be published; nothing was stored."""

    code = "diagram_invalid"

    def __init__(self, detail: str, problems: list[Problem]):
        super().__init__(detail)
        self.problems = problems


class WorkflowIncident(DomainError):
    """The engine could not advance an instance (bad script, bad condition)."""

    code = "workflow_incident"


class UnsafeXml(DiagramInvalid):
    """XML refused before parsing (DOCTYPE, entities, size): never just a validation remark."""

    code = "unsafe_xml"
