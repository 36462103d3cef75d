"""Leaders' figures against a month worked out by hand (newborn_bundle, 7 working days, C01):

A received Mon 03/08 09:00 in person, result Tue 04/08 10:00: early (due Wed 12/08 17:00)
B received Mon 03/08 09:00 online, result Wed 12/08 17:00 exactly at its due time: on time
C received Sat 22/08 08:00, a make-up working day, at a mobile point; still open: overdue now
D received Mon 20/07 09:00 (before the month), result Wed 05/08 10:00: late (due Wed 29/07)
E received Mon 10/08 09:00 online, supplement asked Tue 11/08: paused, within limit
F received Wed 12/08 09:00 by post, refused Thu 13/08
G received Fri 14/08 09:00 in person, withdrawn the same day

August: received A B C E F G = 6 (in person A C G, online B E, post F; counter 5, mobile C);
settled A B D = 3 (early 1, on time 1, late 1); in progress C E = 2 (overdue C, within limit E);
paused E (supplement); refused F; withdrawn G. On-time rate (early+on time)/settled = 66.67;
all-to-process: 100 - (1 late + 1 overdue) x 100 / (3 + 2) = 60.0. Online share 2/6 = 33.33.
Working hours from receipt to result: A 6.5 + 2.5 = 9 h; B 6.5 + 7 x 8 = 62.5 h; D 6.5 + 11 x 8
+ 2.5 = 97 h; in days (h/8) 1.125, 7.8125, 12.125: average 7.02, median 7.81.
"""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from engine.rules import calendar
from tests.api.analytics_data import AUGUST
from tests.api.analytics_data import Month
from tests.api.analytics_data import at
from tests.api.analytics_data import build_august


@pytest.fixture
def august(new_uow, actor, monkeypatch):
    return build_august(Month(new_uow, actor, monkeypatch))


def get(desk, path, user="lanhdao1", **params):
    return desk.client.get(f"/api/v1/stats{path}", query_string=params, headers=desk.headers(user))


def test_the_month_is_what_the_hand_worked_case_says(august):
    assert calendar.is_working_day(at("2026-08-22T08:00").date())
    assert calendar.due_at(at("2026-08-03T09:00"), 7) == at("2026-08-12T17:00")
    assert calendar.due_at(at("2026-07-20T09:00"), 7) == at("2026-07-29T17:00")


def test_every_figure_of_the_month_equals_the_hand_worked_value(desk, august):
    response = get(desk, "", unit="C01", **AUGUST)

    assert response.status_code == 200, response.json
    figures = response.json
    assert {key: figures[key] for key in COUNTS} == COUNTS
    assert figures["by_channel"] == {"in_person": 3, "online": 2, "postal": 1}
    assert figures["by_point"] == {"counter": 5, "mobile": 1, "health_facility": 0}
    assert figures["on_time_rate"] == 66.67
    assert figures["on_time_formula"] == "settled"
    assert figures["on_time_formula_text"] == "(trước hạn + đúng hạn) × 100 / đã giải quyết"
    assert figures["online_share"] == 33.33
    assert (figures["average_days"], figures["median_days"]) == (7.02, 7.81)
    assert figures["satisfaction"] is None


COUNTS = {
    "received": 6,
    "in_person": 3,
    "online": 2,
    "postal": 1,
    "counter": 5,
    "mobile": 1,
    "health_facility": 0,
    "settled": 3,
    "early": 1,
    "on_time": 1,
    "late": 1,
    "in_progress": 2,
    "within_limit": 1,
    "due_soon": 0,
    "overdue": 1,
    "paused": 1,
    "paused_supplement": 1,
    "paused_fees": 0,
    "refused": 1,
    "withdrawn": 1,
    "stopped": 0,
    "not_online": 4,
    "not_electronic": 2,
}


def test_the_provinces_formula_counts_late_dossiers_still_in_progress(app, desk, august):
    app.config["ON_TIME_FORMULA"] = "all_to_process"

    figures = get(desk, "", unit="C01", **AUGUST).json

    assert figures["on_time_rate"] == 60.0
    assert figures["on_time_formula"] == "all_to_process"


def test_nothing_settled_gives_no_rate_rather_than_zero(desk, august):
    figures = get(desk, "", unit="C01", **{"from": "2026-10-01", "to": "2026-11-01"}).json
    assert figures["settled"] == 0
    assert figures["on_time_rate"] is None
    assert figures["median_days"] is None
    assert figures["in_progress"] == 2  # C and E are still open and were received before


@pytest.mark.parametrize(
    ("figure", "names"),
    [
        ("late", ["D"]),
        ("overdue", ["C"]),
        ("online", ["E", "B"]),
        ("refused", ["F"]),
        ("paused_supplement", ["E"]),
        ("settled", ["A", "B", "D"]),
        ("received", ["C", "G", "F", "E", "A", "B"]),
    ],
)
def test_each_figure_lists_exactly_the_dossiers_it_counts(desk, august, figure, names):
    response = get(desk, "/dossiers", unit="C01", figure=figure, **AUGUST)

    assert response.status_code == 200, response.json
    listed = [item["id"] for item in response.json["items"]]
    assert sorted(listed) == sorted(august[name] for name in names)
    assert response.json["total"] == len(names)


def test_the_index_scores_what_our_data_feeds_and_leaves_the_rest_unmeasured(desk, august):
    response = get(desk, "/index", unit="C01", **AUGUST)

    assert response.status_code == 200, response.json
    index = response.json
    groups = {group["key"]: group for group in index["groups"]}
    assert [g["points_max"] for g in index["groups"]] == [18, 20, 22, 22, 18]
    assert groups["publicity"]["points"] is None
    assert groups["satisfaction"]["points"] is None
    indicators = {i["key"]: i for g in index["groups"] for i in g["indicators"]}
    measured = {
        key: (i["numerator"], i["denominator"], i["value"], i["points"], i["points_max"])
        for key, i in indicators.items()
        if i["measured"]
    }
    assert measured == {
        "on_time_share": (2, 3, 66.67, 6.67, 10),
        "average_time": (0, 1, 0.0, 0.0, 10),  # 7.02 working days on average > 7
        "online_dossiers": (2, 6, 33.33, 2.67, 8),
        "electronic_results": (1, 3, 33.33, 2.67, 8),
        "digitized_dossiers": (0, 6, 0.0, 0.0, 8),
    }
    assert indicators["service_satisfaction"]["points"] is None
    assert indicators["online_payment"]["numerator"] is None
    assert (groups["progress"]["points"], groups["online"]["points"]) == (6.67, 2.67)
    assert groups["digitization"]["points"] == 2.67
    assert (index["points"], index["measured_max"], index["points_max"]) == (12.01, 44, 100)
    assert indicators["on_time_share"]["figure"] == "late"


def test_the_csv_and_xlsx_exports_hold_the_json_numbers(desk, august):
    figures = get(desk, "", unit="C01", **AUGUST).json
    as_csv = desk.client.get(
        "/api/v1/stats",
        query_string={"unit": "C01", **AUGUST},
        headers={**desk.headers("lanhdao1"), "Accept": "text/csv"},
    )
    as_xlsx = get(desk, "", unit="C01", format="xlsx", **AUGUST)

    assert as_csv.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(as_csv.data.decode("utf-8-sig"))))
    from_csv = {row[0]: row[2] for row in rows[1:]}
    sheet = load_workbook(io.BytesIO(as_xlsx.data)).active
    from_xlsx = {row[0]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    for key in COUNTS:
        assert from_csv[key] == str(figures[key]), key
        assert from_xlsx[key] == figures[key], key
    assert from_csv["on_time_rate"] == "66.67"
    assert from_xlsx["median_days"] == 7.81
    assert from_csv["satisfaction"] == ""


def test_the_dossier_list_and_index_export_as_the_json_says(desk, august):
    listed = get(desk, "/dossiers", unit="C01", figure="received", **AUGUST).json
    exported = get(desk, "/dossiers", unit="C01", figure="received", format="csv", **AUGUST)
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [item["code"] for item in listed["items"]]

    index = get(desk, "/index", unit="C01", **AUGUST).json
    sheet = load_workbook(
        io.BytesIO(get(desk, "/index", unit="C01", format="xlsx", **AUGUST).data)
    ).active
    points = [row[6] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert points == [i["points"] for g in index["groups"] for i in g["indicators"]]


def test_a_province_leader_sees_the_province_and_a_commune_leader_only_the_commune(
    desk, client, login, august
):
    created = client.post(
        "/api/v1/users",
        json={
            "username": "lanhdao_tinh",
            "password": "mat-khau-ban-dau",
            "full_name": "Hồ Văn Tỉnh",
            "roles": [{"role": "leader", "unit": "P01"}],
        },
        headers=login("admin", "admin"),
    )
    assert created.status_code == 201, created.json
    province = {"Authorization": login("lanhdao_tinh", "mat-khau-ban-dau")["Authorization"]}

    whole = client.get("/api/v1/stats", query_string={"unit": "P01", **AUGUST}, headers=province)
    assert whole.status_code == 200, whole.json
    assert whole.json["received"] == 6
    assert get(desk, "", user="lanhdao2", unit="C01", **AUGUST).status_code == 403
    assert get(desk, "", user="lanhdao2", **AUGUST).json["received"] == 0
    assert get(desk, "", user="lanhdao1", unit="P01").status_code == 403
    assert get(desk, "", user="admin", **AUGUST).json["received"] == 6


@pytest.mark.parametrize("user", ["tiepnhan1", "hotich1", "thietke"])
def test_casework_roles_and_designers_see_no_figures(desk, user):
    for path in ("", "/index", "/procedures", "/trend"):
        assert get(desk, path, user=user).status_code == 403, (user, path)
    assert get(desk, "/dossiers", user=user, figure="late").status_code == 403


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-09-01", "to": "2026-08-01"},
        {"from": "yesterday"},
        {"from": "0001-01-01"},
        {"unit": "X99"},
        {"procedure": "no_such_procedure"},
        {"field": "astrology"},
        {"format": "pdf"},
        {"colour": "red"},
    ],
)
def test_bad_parameters_are_a_400_problem(desk, params):
    response = get(desk, "", **params)
    assert response.status_code == 400, response.json
    assert response.mimetype == "application/problem+json"


def test_an_unknown_figure_is_a_400(desk):
    assert get(desk, "/dossiers", figure="happiness").status_code == 400
    assert get(desk, "/dossiers").status_code == 400


def test_trend_by_week_and_month_counts_receipts_and_results(desk, august):
    months = get(desk, "/trend", unit="C01", by="month", **AUGUST).json["items"]
    assert [(p["start"], p["received"], p["settled"], p["on_time_rate"]) for p in months] == [
        ("2026-08-01", 6, 3, 66.67)
    ]
    weeks = get(desk, "/trend", unit="C01", by="week", **AUGUST).json["items"]
    assert [(p["start"], p["received"], p["settled"], p["late"]) for p in weeks] == [
        ("2026-08-03", 2, 2, 1),  # A B received; A and D (late) settled
        ("2026-08-10", 3, 1, 0),  # E F G received; B settled
        ("2026-08-17", 1, 0, 0),  # C received on the make-up Saturday
    ]


def test_per_procedure_figures_add_up_to_the_whole(desk, august):
    items = get(desk, "/procedures", unit="C01", **AUGUST).json["items"]
    assert [(i["code"], i["figures"]["received"], i["figures"]["late"]) for i in items] == [
        ("newborn_bundle", 6, 1)
    ]
