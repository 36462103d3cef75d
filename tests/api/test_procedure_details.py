"""What a procedure states besides its diagram: its national code (searchable), its legal basis,
the papers an applicant brings, and which figures are unconfirmed."""

from __future__ import annotations

import pytest

from engine.catalogue.folders import read_folder
from tests.api.test_procedures import current
from tests.api.test_procedures import upload


@pytest.fixture
def shipped(processes_dir):
    meta, files = read_folder(processes_dir / "newborn_bundle")
    return dict(meta.__dict__), files


def test_the_shipped_procedures_state_their_papers_and_the_catalogue_finds_a_national_code(desk):
    by_code = desk.get("/api/v1/procedures", by="tiepnhan1", q="2.000986").json
    by_words = desk.get("/api/v1/procedures", by="tiepnhan1", q="tro cap xa hoi").json
    nothing = desk.get("/api/v1/procedures", by="tiepnhan1", q="1.999999").json

    assert [p["code"] for p in by_code] == ["newborn_bundle"]
    assert [p["code"] for p in by_words] == ["social_allowance"]
    assert nothing == []
    [newborn] = by_code
    assert newborn["national_code"] == "2.000986"
    assert {"name": "Giấy chứng sinh", "kind": "original", "count": 1} in newborn[
        "required_documents"
    ]
    assert newborn["unconfirmed"] == ["national_code"]
    assert newborn["legal_basis"][0].startswith("Nghị định 63/2024/NĐ-CP")


def test_a_change_of_papers_is_a_new_version_and_bad_details_are_named(desk, shipped):
    metadata, files = shipped
    papers = [{"name": "Tờ khai", "kind": "original", "count": 1}]

    changed = upload(desk, {**metadata, "required_documents": papers}, files)
    bad_code = upload(desk, {**metadata, "national_code": "1004222"}, files)
    bad_paper = upload(desk, {**metadata, "required_documents": [{"name": "", "count": 0}]}, files)

    assert (changed.status_code, changed.json["procedure"]["version"]) == (201, 2)
    assert changed.json["procedure"]["required_documents"] == papers
    assert (bad_code.status_code, list(bad_code.json["errors"])) == (422, ["national_code"])
    assert "1.004222" in bad_code.json["errors"]["national_code"][0]
    assert (bad_paper.status_code, list(bad_paper.json["errors"])) == (422, ["required_documents"])
    assert current(desk)["version"] == 2
