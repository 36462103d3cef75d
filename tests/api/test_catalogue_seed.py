"""processes/ is a seed, not an override: `flask prepare` (run by every `make run`) never
publishes a folder over a version made through the API or the studio, publishes a folder that
changed on disk, and `flask catalogue export` writes a version back as a folder that prepare and
the publish API take unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from engine.catalogue.folders import read_folder
from engine.models import Procedure
from tests.api.test_procedures import BPMN
from tests.api.test_procedures import current
from tests.api.test_procedures import edited
from tests.api.test_procedures import upload


@pytest.fixture
def processes(tmp_path: Path, processes_dir: Path) -> Path:
    """A copy of processes/ the test may change, as a designer's checkout would."""
    root = tmp_path / "processes"
    shutil.copytree(processes_dir, root)
    return root


def prepare(app, processes: Path) -> str:
    app.config["PROCESSES_DIR"] = str(processes)
    result = app.test_cli_runner().invoke(args=["prepare"])
    assert result.exit_code == 0, result.output
    return str(result.output)


def export(app, target: Path, *options: str) -> Any:
    return app.test_cli_runner().invoke(
        args=["catalogue", "export", "newborn_bundle", str(target), *options]
    )


def publish_through_api(desk, processes: Path, new_name: str) -> None:
    meta, files = read_folder(processes / "newborn_bundle")
    changed = edited(files, 'name="Trả kết quả"', f'name="{new_name}"')
    response = upload(desk, {**meta.__dict__, "note": "Đổi tên bước trả kết quả"}, changed)
    assert response.status_code == 201, response.json
    assert response.json["procedure"]["version"] == 2


def test_a_restart_keeps_the_version_a_designer_published_through_the_api(app, desk, processes):
    publish_through_api(desk, processes, "Trả kết quả (v2)")

    output = prepare(app, processes)
    assert "newborn_bundle v2: unchanged" in output

    detail = current(desk)
    assert detail["version"] == 2
    assert 'name="Trả kết quả (v2)"' in detail["bpmn_xml"]
    assert [v["number"] for v in detail["versions"]] == [2, 1]


def test_a_folder_changed_on_disk_is_published_once_over_the_api_version(app, desk, processes):
    publish_through_api(desk, processes, "Trả kết quả (v2)")
    bpmn = processes / "newborn_bundle" / BPMN
    bpmn.write_text(bpmn.read_text().replace('name="Trả kết quả"', 'name="Trả kết quả (git)"'))

    assert "newborn_bundle v3: published" in prepare(app, processes)
    assert "newborn_bundle v3: unchanged" in prepare(app, processes)
    detail = current(desk)
    assert 'name="Trả kết quả (git)"' in detail["bpmn_xml"]
    assert [(v["number"], v["source"]) for v in detail["versions"]] == [
        (3, "disk"),
        (2, "api"),
        (1, "disk"),
    ]


def test_a_database_from_before_the_studio_keeps_its_api_version_too(
    app, desk, processes, database
):
    publish_through_api(desk, processes, "Trả kết quả (v2)")
    with database.begin() as connection:  # as migration 0012 leaves a database: no seed hash
        connection.execute(update(Procedure).values(seed_hash=None))

    prepare(app, processes)

    assert current(desk)["version"] == 2


def test_an_exported_version_goes_back_through_prepare_and_the_publish_api_unchanged(
    app, desk, processes, tmp_path
):
    publish_through_api(desk, processes, "Trả kết quả (v2)")
    target = processes / "newborn_bundle"

    result = export(app, target)
    assert result.exit_code == 0, result.output
    meta, files = read_folder(target)
    assert 'name="Trả kết quả (v2)"' in files[BPMN].decode()
    assert "newborn_bundle v2: kept" in prepare(app, processes)
    again = upload(desk, dict(meta.__dict__), files)
    assert (again.status_code, again.json["created"]) == (201, False)

    older = tmp_path / "v1"
    assert export(app, older, "--version", "1").exit_code == 0
    shipped_meta, shipped_files = read_folder(Path(__file__).parents[2] / "processes" / BPMN[:-5])
    assert read_folder(older) == (shipped_meta, shipped_files)
    assert current(desk)["version"] == 2


def test_export_names_an_unknown_version_and_never_empties_another_folder(app, tmp_path):
    missing = export(app, tmp_path / "out", "--version", "7")
    assert missing.exit_code != 0
    assert "no version 7" in missing.output
    other = tmp_path / "notes"
    other.mkdir()
    (other / "todo.txt").write_text("giữ lại")
    refused = export(app, other)
    assert refused.exit_code != 0
    assert (other / "todo.txt").read_text() == "giữ lại"
