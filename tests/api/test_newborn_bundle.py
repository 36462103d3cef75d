"""The newborn bundle end to end over HTTP: each branch, who may see each step, and the history."""

from __future__ import annotations

from tests.api.journeys import NEWBORN_STEPS

C01 = {"code": "C01", "name": "Xã Tân Hòa"}
PARALLEL = ["issue_health_insurance_card", "register_residence"]


def completed_steps(history):
    """(step, who, in which unit) for every completed task, in order."""
    return [
        (event["element_id"], event["actor"]["username"], event["unit"]["code"])
        for event in history
        if event["kind"] == "task_completed"
    ]


def test_a_complete_dossier_goes_through_every_agency_and_its_result_is_returned(desk):
    dossier = desk.receive()
    dossier_id = dossier["id"]
    assert (dossier["status"], dossier["finished_at"]) == ("received", None)
    assert [task["element_id"] for task in dossier["tasks"]] == ["check_dossier"]

    assert desk.work(dossier_id, "check_dossier", {"dossier_complete": "yes"}, by="tiepnhan1") == [
        "register_birth"
    ]
    assert desk.dossier(dossier_id)["status"] == "processing"
    username, data = NEWBORN_STEPS["register_birth"]
    assert desk.work(dossier_id, "register_birth", data, by=username) == PARALLEL

    assert sorted(t["element_id"] for t in desk.dossier(dossier_id)["tasks"]) == PARALLEL
    assert desk.inbox("congan1", dossier_id) == ["register_residence"]
    assert desk.inbox("bhxh1", dossier_id) == ["issue_health_insurance_card"]
    for outsider in ("tiepnhan1", "hotich1", "ldxh1", "lanhdao1", "congan2", "bhxh2"):
        assert desk.inbox(outsider, dossier_id) == [], outsider
    residence = desk.task_id(dossier_id, "register_residence")
    card = desk.task_id(dossier_id, "issue_health_insurance_card")
    assert (
        desk.complete(residence, NEWBORN_STEPS["register_residence"][1], by="bhxh1").status_code
        == 403
    )
    assert (
        desk.complete(
            card, NEWBORN_STEPS["issue_health_insurance_card"][1], by="congan1"
        ).status_code
        == 403
    )

    username, data = NEWBORN_STEPS["register_residence"]
    assert desk.work(dossier_id, "register_residence", data, by=username) == []
    assert [t["element_id"] for t in desk.dossier(dossier_id)["tasks"]] == [
        "issue_health_insurance_card"
    ]
    username, data = NEWBORN_STEPS["issue_health_insurance_card"]
    assert desk.work(dossier_id, "issue_health_insurance_card", data, by=username) == [
        "return_results"
    ]
    assert (
        desk.work(dossier_id, "return_results", {"delivery_method": "in_person"}, by="tiepnhan1")
        == []
    )

    finished = desk.dossier(dossier_id)
    assert finished["status"] == "result_returned"
    assert finished["status_code"] == 10
    assert finished["finished_at"] is not None
    assert finished["tasks"] == []
    assert desk.inbox("tiepnhan1", dossier_id) == []
    listed = desk.get("/api/v1/dossiers", by="tiepnhan1", status="result_returned").json
    assert [item["id"] for item in listed["items"]] == [dossier_id]


def test_the_history_names_each_step_who_did_it_and_in_which_unit(desk):
    dossier_id = desk.receive()["id"]
    desk.work_newborn(
        dossier_id,
        "check_dossier",
        "register_birth",
        "issue_health_insurance_card",
        "register_residence",
        "return_results",
    )
    history = desk.dossier(dossier_id)["history"]

    received = history[0]
    assert received["kind"] == "received"
    assert received["actor"]["username"] == "tiepnhan1"
    assert received["unit"] == C01
    assert received["to_unit"] == C01
    assert completed_steps(history) == [
        ("check_dossier", "tiepnhan1", "C01"),
        ("register_birth", "hotich1", "C01"),
        ("issue_health_insurance_card", "bhxh1", "C01"),
        ("register_residence", "congan1", "C01"),
        ("return_results", "tiepnhan1", "C01"),
    ]
    names = {e["element_id"]: e["step_name"] for e in history if e["kind"] == "task_completed"}
    assert names["register_birth"] == "Đăng ký khai sinh"
    assert names["issue_health_insurance_card"] == "Cấp thẻ bảo hiểm y tế"
    created = [
        (e["element_id"], e["to_unit"]["code"]) for e in history if e["kind"] == "task_created"
    ]
    assert sorted(created) == sorted(
        [
            ("check_dossier", "C01"),
            ("register_birth", "C01"),
            ("register_residence", "C01"),
            ("issue_health_insurance_card", "C01"),
            ("return_results", "C01"),
        ]
    )
    changes = [
        (e["detail"]["from"], e["detail"]["to"]) for e in history if e["kind"] == "status_changed"
    ]
    assert changes == [("received", "processing"), ("processing", "result_returned")]
    assert all(event["at"].endswith("+07:00") for event in history)


def test_an_incomplete_dossier_is_checked_again_once_the_supplement_arrives(desk):
    dossier_id = desk.receive()["id"]
    missing = {"dossier_complete": "no", "missing_items": "Giấy chứng sinh bản chính"}
    assert desk.work(dossier_id, "check_dossier", missing, by="tiepnhan1") == ["receive_supplement"]
    assert desk.inbox("tiepnhan1", dossier_id) == ["receive_supplement"]
    supplemented = {"supplement_outcome": "received", "note": "Đã nộp bản chính"}
    assert desk.work(dossier_id, "receive_supplement", supplemented, by="tiepnhan1") == [
        "check_dossier"
    ]
    assert desk.work(dossier_id, "check_dossier", {"dossier_complete": "yes"}, by="tiepnhan1") == [
        "register_birth"
    ]

    dossier = desk.dossier(dossier_id)
    assert dossier["status"] == "processing"
    assert [task["element_id"] for task in dossier["tasks"]] == ["register_birth"]
    assert completed_steps(dossier["history"]) == [
        ("check_dossier", "tiepnhan1", "C01"),
        ("receive_supplement", "tiepnhan1", "C01"),
        ("check_dossier", "tiepnhan1", "C01"),
    ]
    first_check = next(e for e in dossier["history"] if e["kind"] == "task_completed")
    assert first_check["detail"]["data"] == missing


def test_asking_for_a_supplement_requires_naming_the_missing_items(desk):
    dossier_id = desk.receive()["id"]
    response = desk.complete(
        desk.task_id(dossier_id, "check_dossier"), {"dossier_complete": "no"}, by="tiepnhan1"
    )
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["missing_items"]


def test_a_dossier_never_supplemented_is_refused(desk):
    dossier_id = desk.receive()["id"]
    desk.work(
        dossier_id,
        "check_dossier",
        {"dossier_complete": "no", "missing_items": "Tờ khai đăng ký khai sinh"},
        by="tiepnhan1",
    )
    assert (
        desk.work(
            dossier_id,
            "receive_supplement",
            {"supplement_outcome": "not_supplemented"},
            by="tiepnhan1",
        )
        == []
    )

    dossier = desk.dossier(dossier_id)
    assert dossier["status"] == "refused"
    assert dossier["status_code"] == 3
    assert dossier["finished_at"] is not None
    assert dossier["tasks"] == []
    assert desk.inbox("hotich1", dossier_id) == []
    last = dossier["history"][-1]
    assert (last["kind"], last["detail"]) == (
        "status_changed",
        {"from": "processing", "to": "refused"},
    )
