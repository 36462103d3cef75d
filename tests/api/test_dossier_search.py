"""The dossier list through the API: search by code (any case), by name without accents, by ID
number; every filter; every sort; paging; bad values refused with a problem."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.rules.calendar import to_local
from engine.store.db import utcnow

URL = "/api/v1/dossiers"


def codes(desk, by="tiepnhan1", **params) -> list[str]:
    response = desk.get(URL, by=by, **params)
    assert response.status_code == 200, response.json
    return [item["code"] for item in response.json["items"]]


def applicant(full_name: str, id_number: str, phone: str = "0912345678") -> dict[str, str]:
    return {"full_name": full_name, "id_number": id_number, "phone": phone}


@pytest.fixture
def people(desk):
    """Three C01 dossiers: Nguyễn Văn An, Đặng Thị Bích Ngọc, Trần Thị Thủy."""
    return {
        "an": desk.receive(applicant=applicant("Nguyễn Văn An", "001234567890")),
        "ngoc": desk.receive(applicant=applicant("Đặng Thị Bích Ngọc", "001299999991")),
        "thuy": desk.receive(applicant=applicant("Trần Thị Thủy", "001288888882", "0987000111")),
    }


def test_a_name_typed_without_accents_or_in_capitals_finds_the_applicant(desk, people):
    an, ngoc, thuy = people["an"]["code"], people["ngoc"]["code"], people["thuy"]["code"]

    assert codes(desk, q="nguyen van an") == [an]
    assert codes(desk, q="Nguyễn Văn An") == [an]
    assert codes(desk, q="NGUYEN VAN AN") == [an]
    assert codes(desk, q="dang thi") == [ngoc]  # Đ is folded to d, as users type it
    assert codes(desk, q="ĐẶNG") == [ngoc]
    assert codes(desk, q="  bich   ngoc ") == [ngoc]  # spaces as typed in a hurry
    assert codes(desk, q="thuy") == [thuy]  # ủ and ỷ alike
    assert sorted(codes(desk, q="thi")) == sorted([ngoc, thuy])
    assert codes(desk, q="nguyen van anh") == []


def test_an_id_number_or_phone_finds_the_dossier_and_no_search_crosses_two_fields(desk, people):
    assert codes(desk, q="001299999991") == [people["ngoc"]["code"]]
    assert codes(desk, q="0012999") == [people["ngoc"]["code"]]
    assert codes(desk, q="0987000111") == [people["thuy"]["code"]]
    assert codes(desk, q="ngoc 0012") == []  # the name's end and the ID number's start
    assert codes(desk, q="%") == [] and codes(desk, q="_") == []


def test_a_code_typed_in_lower_case_finds_a_finished_dossier(desk, people):
    finished = people["an"]
    desk.work_newborn(
        finished["id"],
        "check_dossier",
        "register_birth",
        "register_residence",
        "issue_health_insurance_card",
        "return_results",
    )

    listed = desk.get(URL, by="tiepnhan1", q=finished["code"].lower()).json
    by_prefix = codes(desk, q=finished["code"][:10].lower())

    assert [item["code"] for item in listed["items"]] == [finished["code"]]
    assert listed["items"][0]["status"] == "result_returned"
    assert listed["total"] == 1
    assert set(by_prefix) >= {people["an"]["code"], people["ngoc"]["code"]}
    assert codes(desk, q=finished["code"][4:]) == [finished["code"]]  # its day and number


def test_each_filter_narrows_the_list(desk, people):
    allowance = desk.receive("social_allowance", channel="online")
    hospital = desk.receive(reception_point={"kind": "health_facility", "name": "Bệnh viện huyện"})
    refused = desk.post(
        f"{URL}/{people['thuy']['id']}/refuse", {"reason": "Không đủ giấy tờ"}, by="tiepnhan1"
    )
    assert refused.status_code == 200, refused.json
    newborn = {people[key]["code"] for key in people} | {hospital["code"]}

    assert codes(desk, procedure="social_allowance") == [allowance["code"]]
    assert set(codes(desk, procedure="newborn_bundle")) == newborn
    assert codes(desk, channel="online") == [allowance["code"]]
    assert allowance["code"] not in codes(desk, channel="in_person")
    assert codes(desk, point="health_facility") == [hospital["code"]]
    assert hospital["code"] not in codes(desk, point="counter")
    assert codes(desk, status="refused") == [people["thuy"]["code"]]
    assert codes(desk, status="refused", q="nguyen") == []
    assert codes(desk, procedure="newborn_bundle", channel="online") == []


def test_the_period_counts_whole_local_days(desk, people):
    today = to_local(utcnow()).date()
    everyone = set(codes(desk))

    assert set(codes(desk, **{"from": today.isoformat(), "to": today.isoformat()})) == everyone
    assert codes(desk, **{"from": (today + timedelta(days=1)).isoformat()}) == []
    assert codes(desk, to=(today - timedelta(days=1)).isoformat()) == []
    assert len(everyone) == 3


def test_a_unit_filter_narrows_to_a_unit_the_user_sees_and_refuses_another(desk, people):
    elsewhere = desk.receive(by="tiepnhan2")  # C02

    assert codes(desk, by="admin", unit="C02") == [elsewhere["code"]]
    assert elsewhere["code"] not in codes(desk, by="admin", unit="C01")
    assert elsewhere["code"] not in codes(desk)  # a C01 clerk never sees C02's dossiers
    refused = desk.get(URL, by="tiepnhan1", unit="C02")
    unknown = desk.get(URL, by="admin", unit="X99")
    assert refused.status_code == 403
    assert refused.content_type == "application/problem+json"
    assert unknown.status_code == 422 and "unit" in unknown.json["errors"]


def test_bad_values_are_refused_with_a_problem_naming_the_field(desk, people):
    today = to_local(utcnow()).date()
    cases = {
        "sort": {"sort": "applicant"},
        "from": {"from": "31/12/2026"},
        "to": {"from": today.isoformat(), "to": (today - timedelta(days=1)).isoformat()},
        "status": {"status": "lost"},
        "channel": {"channel": "fax"},
        "point": {"point": "bus"},
        "procedure": {"procedure": "no_such_procedure"},
    }
    for field, params in cases.items():
        response = desk.get(URL, by="tiepnhan1", **params)
        assert response.status_code == 422, (field, response.json)
        assert response.content_type == "application/problem+json"
        assert field in response.json["errors"], (field, response.json)


def test_sorting_by_each_column_both_ways_with_ties_by_id(desk, people):
    second = desk.receive("social_allowance")  # its statutory limit differs: another due date
    allowance_due = second["due_at"]
    received = [people[key]["code"] for key in ("an", "ngoc", "thuy")] + [second["code"]]
    refused = desk.post(
        f"{URL}/{people['ngoc']['id']}/refuse", {"reason": "Không đủ giấy tờ"}, by="tiepnhan1"
    )
    assert refused.status_code == 200

    newest_first = codes(desk)
    by_status = codes(desk, sort="status")
    by_due = desk.get(URL, by="tiepnhan1", sort="due_at").json["items"]

    assert newest_first == list(reversed(received))
    assert codes(desk, sort="received_at") == received
    assert codes(desk, sort="code") == sorted(received)
    assert codes(desk, sort="-code") == sorted(received, reverse=True)
    assert by_status[-1] == people["ngoc"]["code"]  # refused (3) after received (2)
    assert codes(desk, sort="-status")[0] == people["ngoc"]["code"]
    dues = [item["due_at"] for item in by_due]
    assert dues == sorted(dues) and allowance_due in dues
    assert [item["code"] for item in by_due if item["due_at"] == by_due[0]["due_at"]] == sorted(
        item["code"] for item in by_due if item["due_at"] == by_due[0]["due_at"]
    )


def test_pages_keep_the_order_and_the_total(desk, people):
    pages = [desk.get(URL, by="tiepnhan1", per_page=2, page=n).json for n in (1, 2, 3)]

    assert [page["total"] for page in pages] == [3, 3, 3]
    assert [len(page["items"]) for page in pages] == [2, 1, 0]
    walked = [item["code"] for page in pages for item in page["items"]]
    assert walked == codes(desk)
