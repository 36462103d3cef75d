"""Issue 20 through the API: compare two versions, preview which running dossiers can move,
migrate a selection or all with a mapping, a refused move leaving its dossier untouched, the
job's progress, retiring a version."""

from __future__ import annotations

import io
import json

from tests.support.move_diagrams import Step
from tests.support.move_diagrams import chain

CODE = "move_api"
API = "/api/v1"
META = {
    "code": CODE,
    "name_vi": "Thử chuyển phiên bản",
    "name_en": "Version move test",
    "field": "civil_status",
    "time_limit": 5,
    "process_id": CODE,
}


def publish(desk, steps, **kwargs) -> int:
    files = chain(CODE, steps, **kwargs)
    response = desk.client.post(
        f"{API}/procedures",
        data={
            "metadata": json.dumps(META),
            "files": [(io.BytesIO(content), name) for name, content in files.items()],
        },
        content_type="multipart/form-data",
        headers=desk.headers("thietke"),
    )
    assert response.status_code in (200, 201), response.json
    return int(response.json["procedure"]["version"])


def test_the_diff_names_added_removed_and_changed_steps_and_the_table(desk):
    publish(desk, [Step("check", "Kiểm tra", limit="2d"), Step("verify", role="civil_status")])
    publish(desk, [Step("check", "Kiểm tra", role="civil_status", limit="1d"), Step("sign")])

    answer = desk.get(f"{API}/procedures/{CODE}/diff", by="lanhdao1", **{"from": 1, "to": 2})

    assert answer.status_code == 200, answer.json
    body = answer.json
    assert "sign" in [item["element_id"] for item in body["added"]]
    assert "verify" in [item["element_id"] for item in body["removed"]]
    check = next(item for item in body["changed"] if item["element_id"] == "check")
    assert check["properties"]["role"] == {"from": "reception", "to": "civil_status"}
    assert check["properties"]["time_limit"] == {"from": "2d", "to": "1d"}
    before, after = body["summary"]["from"], body["summary"]["to"]
    assert (before["steps"], before["handovers"], before["limit_sum"]) == (2, 1, 2)
    assert (after["roles"], after["handovers"], after["limit_sum"]) == (
        ["civil_status", "reception"],
        1,
        1,
    )
    assert after["statutory_limit"] == 5


def test_preview_sorts_dossiers_and_a_mapping_unblocks_them(desk):
    publish(desk, [Step("verify"), Step("sign")])
    waiting = desk.receive(CODE)
    publish(desk, [Step("check"), Step("sign")])

    preview = desk.get(f"{API}/procedures/{CODE}/migrations/preview", by="lanhdao1", to=2)
    mapped = desk.post(
        f"{API}/procedures/{CODE}/migrations/preview",
        {"to": 2, "mapping": {"verify": "check"}},
        by="lanhdao1",
    )

    assert preview.json["movable"] == []
    [blocked] = preview.json["blocked"]
    assert (blocked["dossier_id"], blocked["reason_code"]) == (waiting["id"], "missing_open")
    assert "verify" in blocked["reason"] and "v2" in blocked["reason"]
    assert [item["dossier_id"] for item in mapped.json["movable"]] == [waiting["id"]]
    assert mapped.json["movable"][0]["tasks"] == ["check"]


def test_migrating_all_moves_each_dossier_and_records_the_event(desk):
    publish(desk, [Step("check"), Step("verify"), Step("sign")])
    first, second = desk.receive(CODE), desk.receive(CODE)
    publish(desk, [Step("check"), Step("sign")])

    started = desk.post(f"{API}/procedures/{CODE}/migrations", {"to": 2}, by="thietke")
    assert started.status_code == 202, started.json
    job = desk.get(f"{API}/migration-jobs/{started.json['job_id']}", by="lanhdao1").json

    assert (job["state"], job["moved"], job["total"], job["failed"]) == ("done", 2, 2, [])
    for dossier in (first, second):
        kinds = [item["kind"] for item in desk.dossier(dossier["id"])["history"]]
        assert "migrated" in kinds, kinds
    preview = desk.get(f"{API}/procedures/{CODE}/migrations/preview", by="thietke", to=2)
    assert (preview.json["movable"], preview.json["blocked"]) == ([], [])
    assert [step["element_id"] for step in preview.json["target_steps"]] == ["check", "sign"]


def test_a_selection_moves_only_the_chosen_and_a_blocked_choice_is_refused(desk):
    publish(desk, [Step("check"), Step("sign")])
    chosen, other = desk.receive(CODE), desk.receive(CODE)
    publish(desk, [Step("check"), Step("sign", "Ký duyệt")])

    started = desk.post(
        f"{API}/procedures/{CODE}/migrations",
        {"to": 2, "dossier_ids": [chosen["id"]]},
        by="thietke",
    )
    again = desk.post(
        f"{API}/procedures/{CODE}/migrations",
        {"to": 2, "dossier_ids": [chosen["id"]]},
        by="thietke",
    )

    assert started.status_code == 202
    job = desk.get(f"{API}/migration-jobs/{started.json['job_id']}", by="thietke").json
    assert (job["moved"], job["failed"]) == (1, []), job
    preview = desk.get(f"{API}/procedures/{CODE}/migrations/preview", by="thietke", to=2)
    assert [item["dossier_id"] for item in preview.json["movable"]] == [other["id"]]
    assert again.status_code == 422, again.json  # it runs v2 already


def test_a_move_that_fails_leaves_the_dossier_as_it_was_and_is_listed_with_its_reason(desk):
    fork = (Step("branch_a"), Step("branch_b"))
    publish(desk, [Step("check")], parallel=fork)
    dossier = desk.receive(CODE)
    for element in ("check", "branch_a"):
        task_id = desk.task_id(dossier["id"], element)
        assert desk.complete(task_id, {}, by="tiepnhan1").status_code == 200
    publish(desk, [Step("check")], parallel=(Step("branch_c"), Step("branch_b")))
    before = desk.dossier(dossier["id"])

    started = desk.post(f"{API}/procedures/{CODE}/migrations", {"to": 2}, by="thietke")
    job = desk.get(f"{API}/migration-jobs/{started.json['job_id']}", by="thietke").json

    assert (job["moved"], [item["dossier_id"] for item in job["failed"]]) == (0, [dossier["id"]])
    assert "branch_a" in job["failed"][0]["reason"]
    after = desk.dossier(dossier["id"])
    assert after == before
    task_id = desk.task_id(dossier["id"], "branch_b")
    assert desk.complete(task_id, {}, by="tiepnhan1").status_code == 200


def test_only_designers_migrate_and_leaders_may_preview(desk):
    publish(desk, [Step("check")])
    desk.receive(CODE)
    publish(desk, [Step("check", "Kiểm tra lại")])

    assert (
        desk.post(f"{API}/procedures/{CODE}/migrations", {"to": 2}, by="lanhdao1").status_code
        == 403
    )
    assert (
        desk.get(f"{API}/procedures/{CODE}/migrations/preview", by="hotich1", to=2).status_code
        == 403
    )


def test_retiring_the_current_version_needs_a_successor_and_a_retired_one_takes_no_dossier(desk):
    publish(desk, [Step("check")])
    publish(desk, [Step("check", "Kiểm tra lại")])

    alone = desk.post(f"{API}/procedures/{CODE}/versions/2/retire", {}, by="thietke")
    older = desk.post(f"{API}/procedures/{CODE}/versions/1/retire", {}, by="thietke")
    versions = desk.get(f"{API}/procedures/{CODE}/versions", by="thietke").json

    assert alone.status_code == 409, alone.json
    assert older.json == {"retired": 1, "current_version": 2}
    assert [(item["version"], item["status"]) for item in versions] == [
        (2, "published"),
        (1, "retired"),
    ]
    assert desk.receive(CODE)["id"]


def test_reassign_bulk_previews_then_hands_a_users_tasks_on(desk):
    dossier = desk.receive("newborn_bundle")
    task_id = desk.task_id(dossier["id"], "check_dossier")
    assert desk.post(f"{API}/tasks/{task_id}/claim", by="tiepnhan1").status_code == 200
    body = {"from_user": "tiepnhan1", "to_user": "admin"}

    preview = desk.post(f"{API}/tasks/reassign-bulk", {**body, "dry_run": True}, by="lanhdao1")
    done = desk.post(f"{API}/tasks/reassign-bulk", {**body, "dry_run": False}, by="lanhdao1")

    assert preview.status_code == 200, preview.json
    assert [(t["task_id"], t["done"]) for t in preview.json["tasks"]] == [(task_id, True)]
    assert done.json["moved"] == 1
    assert desk.post(f"{API}/tasks/reassign-bulk", body, by="hotich1").status_code == 403


def test_reassign_bulk_moves_a_units_running_work_to_another_unit(desk):
    dossier = desk.receive("newborn_bundle")
    body = {"from_unit": "C01", "to_unit": "C02"}

    preview = desk.post(f"{API}/tasks/reassign-bulk", {**body, "dry_run": True}, by="admin")
    unchanged = desk.dossier(dossier["id"], by="admin")
    done = desk.post(f"{API}/tasks/reassign-bulk", {**body, "dry_run": False}, by="admin")
    after = desk.dossier(dossier["id"], by="admin")

    assert [t["done"] for t in preview.json["tasks"] if t["dossier_id"] == dossier["id"]] == [True]
    assert unchanged["competent_unit"]["code"] == "C01"
    assert done.json["moved"] >= 1
    assert after["competent_unit"]["code"] == "C02"
    assert desk.post(f"{API}/tasks/reassign-bulk", body, by="lanhdao1").status_code == 403
