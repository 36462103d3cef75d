"""The compiled spec of a published procedure version: parsed at most once per process, found by
the hash of its files (principle 1 of the architecture)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine.bpmn.compiler import SPEC_CACHE
from engine.bpmn.compiler import CompiledProcedure
from engine.bpmn.compiler import cache_key
from engine.models import ProcedureVersion


def spec_key_of(version: ProcedureVersion) -> str:
    return cache_key(version.content_hash, version.process_id)


def compiled_for(session: Session, spec_key: str, version_id: int) -> CompiledProcedure:
    """The parsed spec of a published version: from the cache, parsed at most once per process."""

    def load() -> tuple[dict[str, Any], str]:
        version = session.get_one(ProcedureVersion, version_id)
        return version.files, version.process_id

    return SPEC_CACHE.get(spec_key, load)
