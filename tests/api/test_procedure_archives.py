"""A procedure folder as one zip: what `processes/` holds, published through the API in one
upload; a zip that tries to leave its folder or to swell is refused in words, nothing published."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from engine.catalogue import archives
from engine.catalogue.folders import read_folder


@pytest.fixture
def folder_zip(processes_dir: Path) -> bytes:
    """The newborn_bundle folder zipped as a designer would (a folder named by its code), with
    one step renamed so publishing makes a new version."""
    meta, files = read_folder(processes_dir / "newborn_bundle")
    bpmn = files["newborn_bundle.bpmn"].decode()
    files["newborn_bundle.bpmn"] = bpmn.replace(
        'name="Trả kết quả"', 'name="Trả kết quả (zip)"'
    ).encode()
    return archives.pack("newborn_bundle", dict(meta.__dict__), files)


def upload_zip(desk, content: bytes, *, validate_only=False, name="newborn_bundle.zip"):
    path = "/api/v1/procedures/validate" if validate_only else "/api/v1/procedures"
    return desk.client.post(
        path,
        data={"files": [(io.BytesIO(content), name)]},
        content_type="multipart/form-data",
        headers=desk.headers("thietke"),
    )


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_zipped_folder_validates_and_publishes_as_a_new_version(desk, folder_zip):
    checked = upload_zip(desk, folder_zip, validate_only=True)
    published = upload_zip(desk, folder_zip)

    assert checked.status_code == 200, checked.json
    assert checked.json["problems"] == []
    assert published.status_code == 201, published.json
    assert (published.json["procedure"]["code"], published.json["procedure"]["version"]) == (
        "newborn_bundle",
        2,
    )


def test_a_zip_is_refused_in_words_and_nothing_is_published(desk, folder_zip):
    metadata = json.dumps({"code": "x"}).encode()
    refusals = {
        "not a zip": (b"PK not really", "không phải là zip"),
        "a path out of its folder": (
            zipped({"metadata.json": metadata, "../evil.bpmn": b"<x/>"}),
            "Đường dẫn không hợp lệ",
        ),
        "a file of another kind": (
            zipped({"metadata.json": metadata, "run.sh": b"rm -rf /"}),
            "không được nhận",
        ),
        "no metadata": (zipped({"a.bpmn": b"<x/>"}), "thiếu metadata.json"),
        "swelling when unpacked": (
            zipped({"metadata.json": metadata, "big.bpmn": b" " * (archives.MAX_TOTAL_BYTES + 1)}),
            "quá lớn",
        ),
    }

    answers = {case: upload_zip(desk, content) for case, (content, _) in refusals.items()}

    for case, (_, words) in refusals.items():
        assert answers[case].status_code == 422, (case, answers[case].json)
        assert words in answers[case].json["errors"]["files"][0], case
    assert desk.get("/api/v1/procedures/newborn_bundle", by="thietke").json["version"] == 1


def test_a_packed_version_unpacks_to_the_same_metadata_and_files(processes_dir):
    meta, files = read_folder(processes_dir / "social_allowance")

    unpacked = archives.unpack(archives.pack("social_allowance", dict(meta.__dict__), files))

    assert unpacked == (dict(meta.__dict__), files)


def test_a_downloaded_version_publishes_back_unchanged(desk, folder_zip):
    assert upload_zip(desk, folder_zip).status_code == 201  # version 2

    first = desk.get("/api/v1/procedures/newborn_bundle/archive", by="thietke", version=1)
    current = desk.get("/api/v1/procedures/newborn_bundle/archive", by="thietke")
    again = upload_zip(desk, current.data)

    assert first.status_code == 200 and first.mimetype == "application/zip"
    assert 'filename="newborn_bundle-v1.zip"' in first.headers["Content-Disposition"]
    assert "Trả kết quả (zip)" not in archives.unpack(first.data)[1]["newborn_bundle.bpmn"].decode()
    assert (again.status_code, again.json["created"]) == (201, False)  # the same version
    assert again.json["procedure"]["version"] == 2
