"""`flask backup` / `flask restore`: one archive brings back exactly the dossiers, their history
and their documents' bytes as they were, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy import select

from api.database import EXTENSION_KEY
from engine.models import Dossier
from engine.models import Event

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


@pytest.fixture
def storage(app, tmp_path):
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    return tmp_path / "attachments"


def attach(desk, dossier_id: int, name: str, content: bytes) -> int:
    response = desk.client.post(
        f"/api/v1/dossiers/{dossier_id}/attachments",
        data={"files": [(io.BytesIO(content), name)]},
        headers=desk.headers("tiepnhan1"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    return int(response.json[0]["id"])


def snapshot(app) -> tuple[list[tuple], list[tuple]]:
    """Every dossier (id, code, status) and event (id, dossier, kind) in the database."""
    engine = app.extensions[EXTENSION_KEY].kw["bind"]
    with engine.connect() as connection:
        dossiers = connection.execute(
            select(Dossier.id, Dossier.code, Dossier.status).order_by(Dossier.id)
        ).all()
        events = connection.execute(
            select(Event.id, Event.dossier_id, Event.kind).order_by(Event.id)
        ).all()
    return [tuple(row) for row in dossiers], [tuple(row) for row in events]


def download(desk, attachment_id: int) -> bytes:
    response = desk.get(f"/api/v1/attachments/{attachment_id}", by="tiepnhan1")
    try:
        assert response.status_code == 200, response.data[:200]
        return response.data
    finally:
        response.close()


def test_a_restore_brings_back_exactly_the_backed_up_dossiers_events_and_documents(
    app, desk, storage, tmp_path
):
    first, second = desk.receive(), desk.receive()
    documents = {
        attach(desk, first["id"], "giay-chung-sinh.pdf", PDF): PDF,
        attach(desk, second["id"], "anh.png", PNG): PNG,
    }
    before = snapshot(app)
    archive = tmp_path / "backup.tar.gz"
    runner = app.test_cli_runner()

    made = runner.invoke(args=["backup", str(archive)])
    assert made.exit_code == 0, made.output

    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["counts"] == {
        "dossiers": len(before[0]),
        "events": len(before[1]),
        "attachments": 2,
    }
    assert manifest["revisions"] and manifest["created_at"]
    assert len([name for name in manifest["files"] if name.startswith("attachments/")]) == 2

    desk.work(first["id"], "check_dossier", {"dossier_complete": "yes"}, by="tiepnhan1")
    third = desk.receive()
    engine = app.extensions[EXTENSION_KEY].kw["bind"]
    with engine.begin() as connection:
        connection.execute(delete(Dossier).where(Dossier.id == second["id"]))
    for path in storage.rglob("*"):
        if path.is_file():
            path.write_bytes(b"overwritten")
    assert snapshot(app) != before

    refused = runner.invoke(args=["restore", str(archive)], input="n\n")
    assert refused.exit_code != 0 and "overwrites" in refused.output
    assert any(row[0] == third["id"] for row in snapshot(app)[0])

    restored = runner.invoke(args=["restore", str(archive), "--yes"])

    assert restored.exit_code == 0, restored.output
    assert snapshot(app) == before
    for attachment_id, content in documents.items():
        assert download(desk, attachment_id) == content
    tasks = desk.dossier(first["id"], by="admin")["tasks"]
    assert [task["element_id"] for task in tasks] == ["check_dossier"]


def test_restore_refuses_an_archive_without_manifest_or_from_newer_code(app, storage, tmp_path):
    runner = app.test_cli_runner()
    stray = tmp_path / "stray.tar.gz"
    with tarfile.open(stray, "w:gz") as tar:
        info = tarfile.TarInfo("database.sqlite3")
        tar.addfile(info, io.BytesIO(b""))
    before = snapshot(app)

    missing = runner.invoke(args=["restore", str(stray), "--yes"])
    assert missing.exit_code != 0 and "manifest.json" in missing.output

    archive = tmp_path / "backup.tar.gz"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    newer = tmp_path / "newer.tar.gz"
    _rewrite_manifest(archive, newer, revisions=["9999_from_the_future"])
    refused = runner.invoke(args=["restore", str(newer), "--yes"])
    assert refused.exit_code != 0 and "newer than this code" in refused.output
    assert snapshot(app) == before


def test_restore_refuses_an_archive_whose_files_do_not_match_their_checksums(
    app, desk, storage, tmp_path
):
    dossier = desk.receive()
    attachment_id = attach(desk, dossier["id"], "giay-chung-sinh.pdf", PDF)
    runner = app.test_cli_runner()
    archive = tmp_path / "backup.tar.gz"
    assert runner.invoke(args=["backup", str(archive)]).exit_code == 0
    tampered = tmp_path / "tampered.tar.gz"
    _rewrite_manifest(archive, tampered, replace_attachment=b"%PDF-1.4 forged")
    desk.receive()
    before = snapshot(app)

    refused = runner.invoke(args=["restore", str(tampered), "--yes"])

    assert refused.exit_code != 0 and "sha256" in refused.output
    assert snapshot(app) == before
    assert download(desk, attachment_id) == PDF


def _rewrite_manifest(
    source: Path,
    target: Path,
    *,
    revisions: list[str] | None = None,
    replace_attachment: bytes | None = None,
) -> None:
    """Copy an archive, changing its manifest's revisions or one attachment's bytes."""
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        for member in old.getmembers():
            content = old.extractfile(member).read()
            if member.name == "manifest.json" and revisions is not None:
                manifest = json.loads(content)
                manifest["revisions"] = revisions
                content = json.dumps(manifest).encode()
            elif member.name.startswith("attachments/") and replace_attachment is not None:
                content = replace_attachment
            member.size = len(content)
            new.addfile(member, io.BytesIO(content))
