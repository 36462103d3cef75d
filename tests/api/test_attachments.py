"""Documents attached to dossiers: type and size checks, checksums, storage, authorization."""

from __future__ import annotations

import hashlib
import io

import pytest

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def storage(app, tmp_path):
    app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    app.config["ATTACHMENT_MAX_BYTES"] = 1024
    return tmp_path / "attachments"


def upload(desk, dossier_id, files, *, by="tiepnhan1", labels=()):
    data = {"files": [(io.BytesIO(content), name) for name, content in files]}
    if labels:
        data["labels"] = list(labels)
    return desk.client.post(
        f"/api/v1/dossiers/{dossier_id}/attachments",
        data=data,
        headers=desk.headers(by),
        content_type="multipart/form-data",
    )


def test_documents_are_stored_by_checksum_and_listed_with_their_labels(desk, storage):
    dossier = desk.receive()
    response = upload(
        desk,
        dossier["id"],
        [("giay-chung-sinh.pdf", PDF), ("anh.png", PNG)],
        labels=["Giấy chứng sinh"],
    )
    assert response.status_code == 201, response.json
    pdf, png = response.json
    assert pdf["label"] == "Giấy chứng sinh"
    assert png["label"] == "anh.png"
    assert pdf["content_type"] == "application/pdf"
    assert png["content_type"] == "image/png"
    assert pdf["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert pdf["size"] == len(PDF)
    assert (storage / str(dossier["id"]) / pdf["sha256"]).read_bytes() == PDF

    listed = desk.get(f"/api/v1/dossiers/{dossier['id']}/attachments", by="hotich1").json
    assert [a["filename"] for a in listed] == ["giay-chung-sinh.pdf", "anh.png"]
    history = desk.dossier(dossier["id"])["history"]
    assert history[-1]["kind"] == "attachments_added"


def test_a_document_downloads_with_its_name_and_type(desk, storage):
    dossier = desk.receive()
    [pdf] = upload(desk, dossier["id"], [("to-khai.pdf", PDF)]).json
    with desk.get(f"/api/v1/attachments/{pdf['id']}", by="hotich1") as shown:
        assert shown.status_code == 200
        assert shown.get_data() == PDF
        assert shown.mimetype == "application/pdf"
    with desk.get(f"/api/v1/attachments/{pdf['id']}", by="hotich1", download="true") as saved:
        assert saved.headers["Content-Disposition"].startswith("attachment")
        assert "to-khai.pdf" in saved.headers["Content-Disposition"]


def test_another_units_staff_can_neither_list_nor_download_nor_attach(desk, storage):
    dossier = desk.receive()
    [pdf] = upload(desk, dossier["id"], [("a.pdf", PDF)]).json
    assert desk.get(f"/api/v1/attachments/{pdf['id']}", by="hotich2").status_code == 403
    assert (
        desk.get(f"/api/v1/dossiers/{dossier['id']}/attachments", by="hotich2").status_code == 403
    )
    assert upload(desk, dossier["id"], [("b.pdf", PDF)], by="tiepnhan2").status_code == 403
    assert desk.client.get(f"/api/v1/attachments/{pdf['id']}").status_code == 401


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("script.pdf", b"<script>alert(1)</script>"),
        ("empty.pdf", b""),
        ("big.pdf", b"%PDF-" + b"x" * 2000),
        ("doc.exe", b"MZ\x90\x00"),
    ],
)
def test_empty_oversized_or_unknown_files_are_refused_and_nothing_is_stored(
    desk, storage, name, content
):
    dossier = desk.receive()
    response = upload(desk, dossier["id"], [("ok.pdf", PDF), (name, content)])
    assert response.status_code == 422
    assert response.json["errors"]["files"]
    assert desk.get(f"/api/v1/dossiers/{dossier['id']}/attachments", by="tiepnhan1").json == []
    assert not storage.exists()


def test_a_file_name_cannot_climb_out_of_the_storage_folder(desk, storage):
    dossier = desk.receive()
    [doc] = upload(desk, dossier["id"], [("../../etc/passwd.pdf", PDF)]).json
    assert doc["filename"] == "passwd.pdf"
    assert [p.name for p in storage.rglob("*") if p.is_file()] == [doc["sha256"]]
