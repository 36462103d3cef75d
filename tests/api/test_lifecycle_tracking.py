"""Citizens track a dossier with its code and lookup key; where it was received is recorded; a
dossier received in one commune for another is seen by both."""

from __future__ import annotations

import re

from tests.api.lifecycle import REASON
from tests.api.lifecycle import act

KEY = re.compile(r"^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6}$")
TRACKING_FIELDS = {
    "supplement",
    "status",
    "status_code",
    "status_label",
    "procedure_name",
    "received_at",
    "due_at",
    "timeliness",
}


def track(client, code, key, ip="127.0.0.1"):
    return client.get(
        "/api/v1/tracking",
        query_string={"code": code, "key": key},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_every_dossier_gets_its_own_short_lookup_key(desk):
    keys = {desk.receive()["lookup_key"] for _ in range(3)}
    assert len(keys) == 3
    assert all(KEY.match(key) for key in keys)


def test_a_citizen_tracks_a_dossier_with_code_and_key_without_logging_in(desk, client):
    dossier = desk.receive()

    response = track(client, dossier["code"], dossier["lookup_key"].lower())

    assert response.status_code == 200, response.json
    assert set(response.json) == TRACKING_FIELDS
    assert response.json == {
        "status": "received",
        "status_code": 2,
        "status_label": "Được tiếp nhận",
        "procedure_name": dossier["procedure_name"],
        "received_at": dossier["received_at"],
        "due_at": dossier["due_at"],
        "timeliness": "within_limit",
        "supplement": None,
    }


def test_a_code_typed_in_lower_case_or_with_spaces_is_found_and_counts_no_failure(
    app, desk, client
):
    app.config["LOOKUP_MAX_FAILURES_PER_IP"] = 1
    dossier = desk.receive()
    typed = [f" {dossier['code'].lower()} ", dossier["code"].lower().replace("-", " - ")]

    answers = [track(client, code, dossier["lookup_key"], ip="10.6.6.6") for code in typed]

    assert [answer.status_code for answer in answers] == [200, 200]  # one failure would block


def test_a_wrong_key_and_an_unknown_code_get_the_same_answer(desk, client):
    dossier = desk.receive()
    other_key = "AAAAAA" if dossier["lookup_key"] != "AAAAAA" else "BBBBBB"

    wrong_key = track(client, dossier["code"], other_key)
    unknown_code = track(client, "C01-000000-9999", dossier["lookup_key"])

    assert wrong_key.status_code == unknown_code.status_code == 404
    assert wrong_key.json == unknown_code.json


def test_an_address_that_guesses_keys_is_refused_for_a_while_even_with_the_right_key(
    app, desk, client
):
    app.config["LOOKUP_MAX_FAILURES_PER_IP"] = 3
    dossier = desk.receive()
    for wrong in ("AAAAAA", "BBBBBB", "CCCCCC"):
        assert track(client, dossier["code"], wrong, ip="10.4.4.4").status_code == 404

    blocked = track(client, dossier["code"], dossier["lookup_key"], ip="10.4.4.4")
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 900
    assert track(client, dossier["code"], dossier["lookup_key"], ip="10.5.5.5").status_code == 200


def test_tracking_follows_the_lifecycle(desk, client):
    dossier = desk.receive()
    act(desk, dossier["id"], "refuse", {"reason": REASON}, by="tiepnhan1")
    tracked = track(client, dossier["code"], dossier["lookup_key"]).json
    assert (tracked["status"], tracked["status_code"]) == ("refused", 3)
    assert tracked["timeliness"] in ("early", "on_time")


def test_the_dossier_json_carries_the_lifecycle_fields(desk):
    dossier = desk.receive()
    assert dossier["original_due_at"] == dossier["due_at"]
    assert (dossier["paused_days"], dossier["returned_at"], dossier["finished_at"]) == (
        0,
        None,
        None,
    )
    assert dossier["timeliness"] == "within_limit"
    assert dossier["delivery"] == {"method": None, "tracking_number": None, "address": None}
    assert dossier["supplement"] is None
    assert dossier["channel"] == "in_person"


def test_the_counter_of_the_receiving_unit_is_the_default_reception_point(desk):
    dossier = desk.receive()
    assert dossier["reception_point"] == {"kind": "counter", "name": "Xã Tân Hòa"}


def test_a_newborn_bundle_taken_in_at_the_hospital_is_recorded_and_filterable(desk):
    hospital = {"kind": "health_facility", "name": "Bệnh viện Đa khoa huyện"}
    at_hospital = desk.receive(reception_point=hospital)
    mobile = desk.receive(reception_point={"kind": "mobile", "name": "UBND thôn Đông (thứ Bảy)"})
    at_counter = desk.receive()
    assert at_hospital["reception_point"] == hospital
    history = desk.dossier(at_hospital["id"])["history"]
    assert history[0]["detail"]["reception_point"] == hospital

    listed = desk.get("/api/v1/dossiers", by="tiepnhan1", point="health_facility")

    assert [item["id"] for item in listed.json["items"]] == [at_hospital["id"]]
    counter = desk.get("/api/v1/dossiers", by="tiepnhan1", point="counter").json
    assert at_counter["id"] in [item["id"] for item in counter["items"]]
    assert mobile["id"] not in [item["id"] for item in counter["items"]]


def test_a_reception_point_away_from_the_counter_needs_a_name(desk):
    body = {
        "procedure_code": "newborn_bundle",
        "channel": "in_person",
        "applicant": {"full_name": "Lê Văn C", "id_number": "001234567892"},
    }
    for point in ({"kind": "mobile"}, {"kind": "bus"}):
        response = desk.post("/api/v1/dossiers", {**body, "reception_point": point}, by="tiepnhan1")
        assert response.status_code == 422, point
    bad_filter = desk.get("/api/v1/dossiers", by="tiepnhan1", point="bus")
    assert bad_filter.status_code == 422


def test_a_dossier_received_for_another_commune_is_seen_by_both(desk):
    dossier = desk.receive(unit="C02")
    assert dossier["receiving_unit"]["code"] == "C01"
    assert dossier["competent_unit"]["code"] == "C02"
    assert dossier["code"].startswith("C01-")

    for user in ("tiepnhan1", "tiepnhan2", "hotich2"):
        listed = desk.get("/api/v1/dossiers", by=user).json["items"]
        assert dossier["id"] in [item["id"] for item in listed], user
        assert desk.get(f"/api/v1/dossiers/{dossier['id']}", by=user).status_code == 200
    assert desk.inbox("tiepnhan2", dossier["id"]) == ["check_dossier"]
    assert desk.inbox("tiepnhan1", dossier["id"]) == []


def test_reception_of_the_competent_unit_may_act_on_the_dossier(desk):
    dossier = desk.receive(unit="C02")
    response = act(desk, dossier["id"], "refuse", {"reason": REASON}, by="tiepnhan2")
    assert response.status_code == 200
