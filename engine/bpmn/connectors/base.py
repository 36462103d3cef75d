"""What every connector shares: its settings, its failure, its parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from typing import ClassVar


@dataclass(frozen=True)
class ConnectorSettings:
    """As the deployment sets them (api/config.py); the defaults call nothing outside."""

    allowed_hosts: frozenset[str] = frozenset()
    """Host names (or `host:port`) the HTTP operators may call; empty: none."""
    timeout_seconds: float = 10.0
    """For each attempt: connecting, then each read of the answer."""
    retries: int = 2
    """Further attempts after a failure that may pass (no answer, a 5xx, a 429)."""
    retry_backoff_seconds: float = 0.5
    """Waited before the first retry, doubled before each next one."""
    population_url: str = ""
    """The national population database's lookup endpoint; empty: not configured."""
    population_token: str = ""
    """Sent as `Authorization: Bearer …` to that endpoint, when set."""


class ConnectorFailed(Exception):
    """The operator could not get its answer; the text says why, in Vietnamese then English."""

    def __init__(self, vietnamese: str, english: str) -> None:
        super().__init__(f"{vietnamese} ({english})")


class Connector:
    """One operator. `required` and `optional` name its parameters, so publication refuses a
    service task that misses one; `call` returns the JSON answer for the result variable."""

    required: ClassVar[tuple[str, ...]] = ()
    optional: ClassVar[tuple[str, ...]] = ()

    def __init__(self, settings: ConnectorSettings) -> None:
        self.settings = settings

    def call(self, params: dict[str, Any]) -> Any:
        raise NotImplementedError
