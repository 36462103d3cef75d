"""Backups: one tar.gz with the database, the attachment files and a manifest (when, at which
schema revision, how many dossiers, events and attachments, the sha256 of every file), and the
restore that checks all of it before overwriting anything.

SQLite is copied with its online backup API (a consistent copy while the app runs); PostgreSQL
with `pg_dump --format=custom`, restored by `pg_restore --clean --if-exists` in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump / pg_restore, with argument lists, never a shell
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.engine import make_url

from engine.errors import Conflict
from engine.errors import InvalidData
from engine.models import Attachment
from engine.models import Dossier
from engine.models import Event
from engine.store.db import utcnow

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ATTACHMENTS = "attachments"


@dataclass(frozen=True)
class Manifest:
    format: int
    created_at: str
    database: str
    """sqlite or postgresql: a backup restores into the same kind of database."""
    revisions: list[str]
    """The Alembic revision(s) the database was at."""
    counts: dict[str, int]
    files: dict[str, str]
    """Archive path -> sha256, the database dump included."""


def backup(engine: Engine, attachments: Path, target: Path) -> Manifest:
    """Write the archive to `target` (through a temporary file, so a failure leaves nothing)."""
    kind = _kind(engine)
    with tempfile.TemporaryDirectory(prefix="motcua-backup-") as work:
        staging = Path(work)
        dump = staging / DATABASE_FILES[kind]
        revisions, counts = _describe(engine)
        if kind == "sqlite":
            _sqlite_copy(_sqlite_path(engine), dump)
        else:
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}"], engine)
        files = {DATABASE_FILES[kind]: _sha256(dump)}
        if attachments.is_dir():
            for path in sorted(p for p in attachments.rglob("*") if p.is_file()):
                files[f"{ATTACHMENTS}/{path.relative_to(attachments).as_posix()}"] = _sha256(path)
        manifest = Manifest(FORMAT, utcnow().isoformat(), kind, revisions, counts, files)
        (staging / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2))
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(staging / MANIFEST, MANIFEST)
            archive.add(dump, DATABASE_FILES[kind])
            for name in files:
                if name.startswith(ATTACHMENTS + "/"):
                    archive.add(attachments / name.removeprefix(ATTACHMENTS + "/"), name)
        partial.replace(target)
    return manifest


def read_manifest(archive: Path) -> Manifest:
    """The archive's manifest; InvalidData when it has none (not one of our backups)."""
    with tarfile.open(archive, "r:gz") as tar:
        try:
            member = tar.extractfile(MANIFEST)
        except KeyError:
            member = None
        if member is None:
            raise InvalidData(f"{archive} has no {MANIFEST}: not a Một Cửa backup")
        data = json.loads(member.read())
    if data.get("format") != FORMAT:
        raise InvalidData(f"unknown backup format {data.get('format')!r}")
    return Manifest(**data)


def check_restorable(manifest: Manifest, engine: Engine, known_revisions: set[str]) -> None:
    """Refuse a backup of another kind of database, or one taken by newer code (its schema
    revision is unknown here: restoring it would leave a schema this code cannot read)."""
    kind = _kind(engine)
    if manifest.database != kind:
        raise Conflict(f"the backup holds a {manifest.database} database; this app uses {kind}")
    unknown = [rev for rev in manifest.revisions if rev not in known_revisions]
    if unknown:
        raise Conflict(
            f"the backup is at schema revision {', '.join(unknown)}, newer than this code: "
            "install the version of Một Cửa that made it first"
        )


def restore(
    engine: Engine, attachments: Path, archive: Path, known_revisions: set[str]
) -> Manifest:
    """Replace the database and the attachment folder with the archive's, after checking the
    manifest and every file's sha256; returns the manifest restored."""
    manifest = read_manifest(archive)
    check_restorable(manifest, engine, known_revisions)
    with tempfile.TemporaryDirectory(prefix="motcua-restore-") as work:
        staging = Path(work)
        _extract(archive, manifest, staging)
        dump = staging / DATABASE_FILES[manifest.database]
        engine.dispose()
        if manifest.database == "sqlite":
            _sqlite_copy(dump, _sqlite_path(engine))
        else:
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--exit-on-error",
                    str(dump),
                ],
                engine,
                database_flag=True,
            )
        engine.dispose()
        _replace_folder(staging / ATTACHMENTS, attachments)
    return manifest


def counts(engine: Engine) -> dict[str, int]:
    return _describe(engine)[1]


def _describe(engine: Engine) -> tuple[list[str], dict[str, int]]:
    with engine.connect() as connection:
        revisions = sorted(connection.scalars(text("SELECT version_num FROM alembic_version")))
        numbers = {
            name: connection.scalar(select(func.count()).select_from(model)) or 0
            for name, model in (
                ("dossiers", Dossier),
                ("events", Event),
                ("attachments", Attachment),
            )
        }
    return revisions, numbers


def _extract(archive: Path, manifest: Manifest, staging: Path) -> None:
    """Extract only the files the manifest lists, each checked against its sha256."""
    with tarfile.open(archive, "r:gz") as tar:
        for name, digest in manifest.files.items():
            if name.startswith("/") or ".." in Path(name).parts:
                raise InvalidData(f"unsafe path in the backup: {name!r}")
            try:
                tar.extract(name, staging, filter="data")
            except KeyError as exc:
                raise InvalidData(f"the backup lacks {name}, which its manifest lists") from exc
            if _sha256(staging / name) != digest:
                raise InvalidData(f"{name} does not match its sha256 in the manifest: corrupt")
    (staging / ATTACHMENTS).mkdir(exist_ok=True)


def _replace_folder(source: Path, target: Path) -> None:
    """Swap the attachment folder by renames, so it is never half old, half new."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=".restoring-", dir=target.parent))
    shutil.copytree(source, fresh, dirs_exist_ok=True)
    old = target.with_name(target.name + ".before-restore")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _sqlite_copy(source: Path, destination: Path) -> None:
    """The online backup API: a consistent copy even while other connections write (WAL)."""
    with _sqlite(source) as src, _sqlite(destination) as dst:
        src.backup(dst)


@contextmanager
def _sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path)
    try:
        yield connection
    finally:
        connection.close()


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise Conflict("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def _kind(engine: Engine) -> str:
    kind = engine.dialect.name
    if kind not in DATABASE_FILES:
        raise Conflict(f"backups support SQLite and PostgreSQL, not {kind}")
    return kind


def _run(command: list[str], engine: Engine, *, database_flag: bool = False) -> None:
    """Run a PostgreSQL client tool on the app's database; the password goes by environment,
    never on the command line (where `ps` would show it)."""
    url = make_url(engine.url.render_as_string(hide_password=False))
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    libpq = url.set(drivername="postgresql", password=None).render_as_string()
    argv = [*command[:-1], f"--dbname={libpq}", command[-1]] if database_flag else [*command, libpq]
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise Conflict(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def summary(manifest: Manifest) -> dict[str, Any]:
    """What the CLI prints about a backup."""
    return {
        "created_at": manifest.created_at,
        "database": manifest.database,
        "revisions": manifest.revisions,
        **manifest.counts,
        "files": len(manifest.files),
    }
