"""The shipped procedure folders (`processes/<code>/`): a seed, not an override.

`flask prepare` publishes a folder when its procedure does not exist yet or when the folder
changed since prepare last read it (Procedure.seed_hash); a version published since through the
API or the studio stays current across restarts. `export_folder` writes a version back as such a
folder, so a designer's change can be committed to processes/.

`processes/shared/` holds what several procedures use (a called process such as the leader's
signature and sealing, a decision table, their forms): a folder's diagrams name them (a call
activity's calledElement, a business rule task's decision, a task's form) and reading the folder
adds the shared files that define them, so each published version keeps its own copy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import replace
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access.actors import Actor
from engine.bpmn.compiler import BPMN_SUFFIX
from engine.bpmn.compiler import DMN_SUFFIX
from engine.bpmn.compiler import FORM_SUFFIX
from engine.bpmn.compiler import content_hash
from engine.bpmn.xml import parse_untrusted
from engine.catalogue.procedures import ProcedureMetadata
from engine.catalogue.procedures import publish
from engine.errors import DiagramInvalid
from engine.errors import InvalidData
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.queries.procedures import get_procedure
from engine.queries.procedures import metadata_fields
from engine.queries.procedures import procedure_view
from engine.store.uow import UnitOfWork
from engine.store.uow import for_update
from engine.views import PublishResult

METADATA_FILE = "metadata.json"
SHARED_FOLDER = "shared"
_SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"


@dataclass(frozen=True)
class SeedResult:
    """What prepare did with one folder: `published` (a new version), `unchanged` (the folder
    is what it was, or is one of the versions already), or `kept` (the folder changed on disk but
    matches the version published; recorded so it is not looked at again)."""

    result: PublishResult
    state: str


def read_folder(folder: Path) -> tuple[ProcedureMetadata, dict[str, bytes]]:
    meta = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
    files = {
        path.name: path.read_bytes()
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != METADATA_FILE
    }
    return ProcedureMetadata(**meta), with_shared(files, folder.parent / SHARED_FOLDER)


def with_shared(files: dict[str, bytes], shared: Path) -> dict[str, bytes]:
    """`files` and the files of `shared` that define what they use and do not define, each of
    those in turn bringing what it uses."""
    if not shared.is_dir():
        return files
    offered = {path.name: path.read_bytes() for path in sorted(shared.iterdir()) if path.is_file()}
    taken = dict(files)
    while True:
        wanted = set().union(*(_uses(name, content) for name, content in taken.items()))
        wanted -= set().union(*(_defines(name, content) for name, content in taken.items()))
        adding = {
            name: content
            for name, content in offered.items()
            if name not in taken and _defines(name, content) & wanted
        }
        if not adding:
            return taken
        taken.update(adding)


def _uses(name: str, content: bytes) -> set[tuple[str, str]]:
    """("process" | "decision" | "form", id or file name) a diagram refers to."""
    root = _xml(name, content) if name.endswith(BPMN_SUFFIX) else None
    if root is None:
        return set()
    found: set[tuple[str, str]] = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.get("calledElement"):
            found.add(("process", str(element.get("calledElement"))))
        if element.tag == f"{_SPIFF}calledDecisionId" and (element.text or "").strip():
            found.add(("decision", (element.text or "").strip()))
        if element.tag == f"{_SPIFF}property" and element.get("name") == "form":
            found.add(("form", str(element.get("value"))))
    return found


def _defines(name: str, content: bytes) -> set[tuple[str, str]]:
    if name.endswith(FORM_SUFFIX):
        return {("form", name)}
    kind = "process" if name.endswith(BPMN_SUFFIX) else "decision"
    root = _xml(name, content) if name.endswith((BPMN_SUFFIX, DMN_SUFFIX)) else None
    if root is None:
        return set()
    return {
        (kind, str(element.get("id")))
        for element in root.iter()
        if isinstance(element.tag, str) and etree.QName(element).localname == kind
    }


def _xml(name: str, content: bytes) -> etree._Element | None:
    """The file's root, or None when it does not parse (publishing then says why)."""
    try:
        return parse_untrusted(content, name)
    except DiagramInvalid:
        return None


def publish_catalogue(
    new_uow: Callable[[], UnitOfWork], actor: Actor, root: Path
) -> list[SeedResult]:
    results = []
    for folder in sorted(p for p in root.iterdir() if (p / METADATA_FILE).is_file()):
        meta, files = read_folder(folder)
        results.append(seed_folder(new_uow, actor, meta, files))
    return results


def seed_folder(
    new_uow: Callable[[], UnitOfWork],
    actor: Actor,
    meta: ProcedureMetadata,
    files: dict[str, bytes],
) -> SeedResult:
    """Publish one folder unless it is what prepare read last time, or, on a database from
    before the studio (no seed_hash yet), unless it is one of the procedure's versions."""
    seed = folder_hash(meta, files)
    with new_uow() as uow:
        uow.begin_write()
        procedure = uow.session.scalars(
            for_update(select(Procedure).where(Procedure.code == meta.code))
        ).one_or_none()
        if procedure is not None and procedure.current_version_id is not None:
            current = uow.session.get_one(ProcedureVersion, procedure.current_version_id)
            if procedure.seed_hash == seed or (
                procedure.seed_hash is None and _is_a_version(uow, procedure, meta, files)
            ):
                procedure.seed_hash = seed
                uow.commit()
                return SeedResult(
                    PublishResult(procedure_view(procedure, current), False), "unchanged"
                )
    with new_uow() as uow:
        result = publish(uow, actor, meta, files, source="disk")
    with new_uow() as uow:
        uow.begin_write()
        procedure = uow.session.scalars(
            for_update(select(Procedure).where(Procedure.code == meta.code))
        ).one()
        procedure.seed_hash = seed
        uow.commit()
    return SeedResult(result, "published" if result.created else "kept")


def folder_hash(meta: ProcedureMetadata, files: dict[str, bytes]) -> str:
    """The folder's content: its files and its metadata."""
    described = json.dumps(asdict(meta), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{content_hash(files)}\0{described}".encode()).hexdigest()


def _is_a_version(
    uow: UnitOfWork, procedure: Procedure, meta: ProcedureMetadata, files: dict[str, bytes]
) -> bool:
    versions = uow.session.scalars(
        select(ProcedureVersion).where(
            ProcedureVersion.procedure_id == procedure.id,
            ProcedureVersion.content_hash == content_hash(files),
        )
    ).all()
    return any(
        version_metadata(procedure.code, v)
        == replace(meta, process_id=meta.process_id or v.process_id)
        for v in versions
    )


def version_metadata(code: str, version: ProcedureVersion) -> ProcedureMetadata:
    """A version's catalogue data as metadata.json states it."""
    return ProcedureMetadata(**metadata_fields(code, version))


def export_folder(
    new_uow: Callable[[], UnitOfWork], code: str, target: Path, version: int | None = None
) -> list[Path]:
    """Write the current version (or `version`) as a folder prepare and the publish API take:
    metadata.json and the files. A procedure folder there is replaced file by file (a file the
    version lacks would be published with it); any other folder must be empty."""
    with new_uow() as uow:
        metadata, files = version_folder(uow.session, code, version)
    _clear(target)
    written = [target / METADATA_FILE]
    written[0].write_text(
        json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    for name, text in files.items():
        path = target / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def version_folder(
    session: Session, code: str, version: int | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The current version (or `version`) as a folder holds it: metadata.json's fields, files."""
    detail = get_procedure(session, code, version)
    row = session.scalars(
        select(ProcedureVersion)
        .join(Procedure, Procedure.id == ProcedureVersion.procedure_id)
        .where(Procedure.code == code, ProcedureVersion.number == detail.version)
    ).one()
    meta = version_metadata(code, row)
    return {k: v for k, v in asdict(meta).items() if v is not None}, dict(detail.contents)


def _clear(target: Path) -> None:
    if target.exists() and any(target.iterdir()):
        if not (target / METADATA_FILE).is_file() or any(p.is_dir() for p in target.iterdir()):
            raise InvalidData(
                f"{target} is not empty and not a procedure folder",
                {
                    "target": [
                        f"Thư mục {target} đã có nội dung khác (is not empty and not a "
                        "procedure folder)."
                    ]
                },
            )
        for path in target.iterdir():
            path.unlink()
    target.mkdir(parents=True, exist_ok=True)
