"""Publishing the shipped procedure folders (`processes/<code>/`) — idempotent by content hash."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from engine.access.actors import Actor
from engine.catalogue.procedures import ProcedureMetadata
from engine.catalogue.procedures import publish
from engine.store.uow import UnitOfWork
from engine.views import PublishResult

METADATA_FILE = "metadata.json"


def read_folder(folder: Path) -> tuple[ProcedureMetadata, dict[str, bytes]]:
    meta = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
    files = {
        path.name: path.read_bytes()
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != METADATA_FILE
    }
    return ProcedureMetadata(**meta), files


def publish_catalogue(
    new_uow: Callable[[], UnitOfWork], actor: Actor, root: Path
) -> list[PublishResult]:
    results = []
    for folder in sorted(p for p in root.iterdir() if (p / METADATA_FILE).is_file()):
        meta, files = read_folder(folder)
        with new_uow() as uow:
            results.append(publish(uow, actor, meta, files))
    return results
