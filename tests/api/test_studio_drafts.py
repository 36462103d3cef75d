"""The studio's drafts through the API: saved with the author and time, refused when stale (never
overwriting), published as the next version with a change note through the same checks as an
upload, or refused with nothing published and the draft kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.catalogue.folders import read_folder
from tests.api.test_procedures import BPMN
from tests.api.test_procedures import current
from tests.api.test_procedures import upload

API = "/api/v1/procedures"


@pytest.fixture
def newborn(processes_dir: Path) -> dict[str, Any]:
    """The newborn_bundle folder as a draft body: metadata and files as text."""
    meta, files = read_folder(processes_dir / "newborn_bundle")
    return {
        "metadata": dict(meta.__dict__),
        "files": {name: content.decode() for name, content in files.items()},
    }


def renamed(body: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    assert old in body["files"][BPMN]
    return {**body, "files": {**body["files"], BPMN: body["files"][BPMN].replace(old, new)}}


def save(desk, code: str, body: dict[str, Any], base_hash: str | None, *, by: str = "thietke"):
    return desk.client.put(
        f"{API}/{code}/draft", json={**body, "base_hash": base_hash}, headers=desk.headers(by)
    )


def saved(desk, code: str, body: dict[str, Any], base_hash: str | None = None, **kw: Any) -> str:
    response = save(desk, code, body, base_hash, **kw)
    assert response.status_code == 200, response.json
    return str(response.json["hash"])


def versions(desk, code: str = "newborn_bundle", by: str = "thietke") -> list[dict[str, Any]]:
    response = desk.get(f"{API}/{code}/versions", by=by)
    assert response.status_code == 200, response.json
    return list(response.json)


def test_a_new_procedure_has_a_draft_before_any_version_and_it_can_be_discarded(desk, newborn):
    body = {**newborn, "metadata": {**newborn["metadata"], "code": "birth_copy"}}
    saved(desk, "birth_copy", body)

    draft = desk.get(f"{API}/birth_copy/draft", by="thietke").json
    assert draft["files"] == newborn["files"]
    assert draft["metadata"]["name_vi"] == newborn["metadata"]["name_vi"]
    assert draft["saved_by"] == "Chuyên viên thiết kế quy trình"
    [line] = versions(desk, "birth_copy")
    assert (line["version"], line["status"], line["open_dossiers"]) == (None, "draft", 0)
    assert desk.get(f"{API}/birth_copy", by="thietke").status_code == 404, "nothing published"
    assert "birth_copy" not in str(desk.get(API, by="tiepnhan1").json)

    gone = desk.client.delete(f"{API}/birth_copy/draft", headers=desk.headers("thietke"))
    assert gone.status_code == 204
    assert desk.get(f"{API}/birth_copy/draft", by="thietke").status_code == 404
    assert desk.get(f"{API}/birth_copy/versions", by="thietke").status_code == 404


def test_a_save_over_a_draft_saved_since_is_refused_and_the_other_save_stays(desk, newborn):
    opened = saved(desk, "newborn_bundle", newborn)
    theirs = renamed(newborn, 'name="Trả kết quả"', 'name="Trả kết quả (admin)"')
    saved(desk, "newborn_bundle", theirs, opened, by="admin")

    mine = renamed(newborn, 'name="Trả kết quả"', 'name="Trả kết quả (thietke)"')
    response = save(desk, "newborn_bundle", mine, opened)

    assert response.status_code == 409
    assert response.json["code"] == "conflict"
    assert response.json["detail"].startswith("Người khác đã lưu bản nháp này sau khi bạn mở nó")
    assert "someone saved this draft after you opened it" in response.json["detail"]
    assert desk.get(f"{API}/newborn_bundle/draft", by="thietke").json["files"] == theirs["files"]
    assert save(desk, "newborn_bundle", mine, None).status_code == 409, "a draft exists"


def test_a_published_draft_is_the_next_version_with_its_note_and_the_draft_is_gone(desk, newborn):
    old_dossier = desk.receive()["id"]
    draft = renamed(newborn, 'name="Đăng ký khai sinh"', 'name="Đăng ký khai sinh (v2)"')
    base = saved(desk, "newborn_bundle", draft)

    response = desk.post(
        f"{API}/newborn_bundle/draft/publish",
        {"note": "Đổi tên bước đăng ký khai sinh", "base_hash": base},
        by="thietke",
    )

    assert response.status_code == 201, response.json
    assert (response.json["procedure"]["version"], response.json["created"]) == (2, True)
    assert desk.get(f"{API}/newborn_bundle/draft", by="thietke").status_code == 404
    lines = versions(desk)
    assert [(v["version"], v["status"], v["source"], v["open_dossiers"]) for v in lines] == [
        (2, "published", "studio", 0),
        (1, "superseded", "disk", 1),
    ]
    assert lines[0]["note"] == "Đổi tên bước đăng ký khai sinh"
    assert lines[0]["published_by"] and lines[0]["published_at"]
    assert desk.dossier(old_dossier)["procedure_version"] == 1
    assert desk.dossier(desk.receive()["id"])["procedure_version"] == 2


def test_any_version_is_readable_with_its_files_and_an_unknown_one_is_a_404(desk, newborn):
    saved(desk, "newborn_bundle", renamed(newborn, 'name="Trả kết quả"', 'name="Trả KQ"'))
    desk.post(f"{API}/newborn_bundle/draft/publish", {"note": "Tên ngắn"}, by="thietke")

    first = desk.get(f"{API}/newborn_bundle", by="tiepnhan1", version=1).json
    second = desk.get(f"{API}/newborn_bundle", by="tiepnhan1", version=2).json
    assert (first["version"], first["status"], first["source"]) == (1, "superseded", "disk")
    assert (second["version"], second["status"], second["note"]) == (2, "published", "Tên ngắn")
    assert first["contents"] == newborn["files"]
    assert 'name="Trả KQ"' in second["contents"][BPMN] and 'name="Trả KQ"' in second["bpmn_xml"]
    assert current(desk)["version"] == 2

    missing = desk.get(f"{API}/newborn_bundle", by="tiepnhan1", version=9)
    assert missing.status_code == 404
    assert missing.content_type == "application/problem+json"
    assert "no version 9 (versions: 1, 2)" in missing.json["detail"]


@pytest.mark.parametrize("publish_first", [False, True], ids=["validate", "publish"])
def test_a_draft_with_problems_is_refused_and_nothing_changes(desk, newborn, publish_first):
    broken = renamed(newborn, 'name="commune_police"', 'name="fortune_teller"')
    base = saved(desk, "newborn_bundle", broken)
    before = current(desk)

    if publish_first:
        response = desk.post(f"{API}/newborn_bundle/draft/publish", {"note": "x"}, by="thietke")
        assert response.status_code == 422
        assert response.json["code"] == "diagram_invalid"
        problems = response.json["problems"]
    else:
        response = desk.post(f"{API}/newborn_bundle/draft/validate", by="thietke")
        assert response.status_code == 200
        problems = response.json["problems"]

    assert [p["element_id"] for p in problems] == ["register_residence"]
    assert current(desk) == before
    assert desk.get(f"{API}/newborn_bundle/draft", by="thietke").json["hash"] == base


def test_publishing_a_draft_someone_saved_since_is_a_409(desk, newborn):
    opened = saved(desk, "newborn_bundle", newborn)
    saved(desk, "newborn_bundle", renamed(newborn, 'name="Trả kết quả"', 'name="X"'), opened)
    response = desk.post(
        f"{API}/newborn_bundle/draft/publish", {"note": "n", "base_hash": opened}, by="thietke"
    )
    assert response.status_code == 409
    assert current(desk)["version"] == 1


def test_an_unfinished_draft_saves_but_publishing_it_names_what_is_missing(desk, newborn):
    body = {"files": newborn["files"], "metadata": {"name_vi": "Thủ tục mới"}}
    saved(desk, "new_procedure", body)
    response = desk.post(f"{API}/new_procedure/draft/publish", {"note": "n"}, by="thietke")
    assert response.status_code == 422
    assert sorted(response.json["errors"]) == ["field", "name_en", "time_limit"]
    assert desk.get(f"{API}/new_procedure/draft", by="thietke").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"files": {"../evil.bpmn": "x"}}, "files"),
        ({"files": {"notes.txt": "x"}}, "files"),
        ({"metadata": {"code": "other_code"}}, "metadata.code"),
        ({"metadata": {"field": "astrology"}}, "metadata"),
        ({"files": {}}, "files"),
    ],
    ids=["path", "suffix", "other_code", "bad_field", "no_files"],
)
def test_a_draft_that_cannot_be_saved_names_the_field(desk, newborn, body, field):
    response = save(desk, "newborn_bundle", {**newborn, **body}, None)
    assert response.status_code == 422
    assert [key.split(".")[0] for key in response.json["errors"]] == [field.split(".")[0]]
    assert desk.get(f"{API}/newborn_bundle/draft", by="thietke").status_code == 404


def test_the_publish_api_records_its_note_and_source(desk, processes_dir):
    meta, files = read_folder(processes_dir / "newborn_bundle")
    text = files[BPMN].decode().replace('name="Trả kết quả"', 'name="Trả kết quả (API)"')
    response = upload(desk, {**meta.__dict__, "note": "Qua API"}, {**files, BPMN: text.encode()})
    assert response.status_code == 201, response.json
    [latest, _first] = versions(desk)
    assert (latest["version"], latest["note"], latest["source"]) == (2, "Qua API", "api")


def test_leaders_read_versions_and_drafts_and_only_designers_change_them(desk, newborn):
    base = saved(desk, "newborn_bundle", newborn)
    assert [v["status"] for v in versions(desk, by="lanhdao1")] == ["draft", "published"]
    assert desk.get(f"{API}/newborn_bundle/draft", by="lanhdao1").json["hash"] == base
    for username in ("lanhdao1", "tiepnhan1"):
        assert save(desk, "newborn_bundle", newborn, base, by=username).status_code == 403
        publish = desk.post(f"{API}/newborn_bundle/draft/publish", {"note": "n"}, by=username)
        assert publish.status_code == 403
        discard = desk.client.delete(f"{API}/newborn_bundle/draft", headers=desk.headers(username))
        assert discard.status_code == 403
    assert desk.get(f"{API}/newborn_bundle/versions", by="tiepnhan1").status_code == 403
    assert desk.get(f"{API}/newborn_bundle/draft", by="hotich1").status_code == 403
    assert desk.get(f"{API}/newborn_bundle/draft", by="thietke").json["hash"] == base
    assert current(desk)["version"] == 1
