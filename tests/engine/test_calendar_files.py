"""The calendar is data: yearly files with a source on every entry, province overrides and office
hours, read from a folder; years without a file fall back to the `holidays` package."""

from __future__ import annotations

import json
import shutil
from datetime import date
from datetime import datetime
from pathlib import Path

import holidays
import pytest

from engine.rules.calendar import DEFAULT_FOLDER
from engine.rules.calendar import LOCAL_TZ
from engine.rules.calendar import CalendarError
from engine.rules.calendar import due_at
from engine.rules.calendar import is_working_day
from engine.rules.calendar import load_calendar


def local(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)


def close_of(year: int, month: int, day: int, hour: int = 17) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=LOCAL_TZ)


def write(folder: Path, name: str, content: dict) -> None:
    (folder / name).write_text(json.dumps(content), encoding="utf-8")


@pytest.fixture
def province(tmp_path: Path) -> Path:
    """A copy of the shipped calendar folder the test may change."""
    folder = tmp_path / "calendar"
    shutil.copytree(DEFAULT_FOLDER, folder)
    return folder


@pytest.mark.parametrize("year", [2025, 2026])
def test_each_yearly_file_names_a_source_for_every_day(year):
    content = json.loads((DEFAULT_FOLDER / f"VN-{year}.json").read_text(encoding="utf-8"))
    entries = content["days_off"] + content["make_up_days"]
    assert entries
    for entry in entries:
        assert date.fromisoformat(entry["date"]).year == year
        assert entry["source"].strip(), entry
        assert entry["name_vi"].strip(), entry


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_yearly_files_hold_every_day_off_the_holidays_package_lists(year):
    content = json.loads((DEFAULT_FOLDER / f"VN-{year}.json").read_text(encoding="utf-8"))
    in_file = {date.fromisoformat(entry["date"]) for entry in content["days_off"]}
    assert in_file == set(holidays.country_holidays("VN", years=year))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(date(2026, 2, 13), True, id="friday_before_tet_2026"),
        pytest.param(date(2026, 2, 16), False, id="tet_eve_2026"),
        pytest.param(date(2026, 2, 20), False, id="fourth_day_of_tet_2026"),
        pytest.param(date(2026, 2, 23), True, id="back_after_tet_2026"),
        pytest.param(date(2026, 4, 27), False, id="hung_kings_observed_2026"),
        pytest.param(date(2026, 8, 22), True, id="make_up_saturday_2026"),
        pytest.param(date(2026, 8, 29), False, id="ordinary_saturday_2026"),
        pytest.param(date(2026, 8, 31), False, id="swapped_day_off_2026"),
        pytest.param(date(2025, 4, 26), True, id="make_up_saturday_2025"),
        pytest.param(date(2025, 5, 2), False, id="swapped_day_off_2025"),
        pytest.param(date(2025, 1, 27), False, id="tet_2025"),
        pytest.param(date(2027, 2, 8), False, id="tet_2027_from_the_package"),
        pytest.param(date(2027, 2, 11), True, id="after_tet_2027_from_the_package"),
        pytest.param(date(2024, 5, 4), True, id="make_up_saturday_2024_from_the_package"),
        pytest.param(date(2024, 4, 29), False, id="swapped_day_off_2024_from_the_package"),
    ],
)
def test_which_days_are_worked(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("received", "working_days", "expected"),
    [
        pytest.param(local(2025, 4, 25), 1, close_of(2025, 4, 26), id="make_up_saturday_counts"),
        pytest.param(local(2025, 4, 25), 4, close_of(2025, 5, 5), id="swap_around_30_4_2025"),
        pytest.param(local(2026, 8, 21), 1, close_of(2026, 8, 22), id="saturday_worked_2026"),
        pytest.param(local(2026, 8, 28), 1, close_of(2026, 9, 3), id="national_day_2026"),
        pytest.param(local(2026, 8, 22, 9), 0, close_of(2026, 8, 22), id="same_day_on_make_up"),
    ],
)
def test_due_dates_honour_make_up_saturdays_and_swapped_days_off(received, working_days, expected):
    assert due_at(received, working_days) == expected


def test_a_province_decision_adds_a_day_off_and_a_saturday_worked(province):
    write(
        province,
        "overrides.json",
        {
            "days_off": [{"date": "2026-02-13", "source": "QĐ 1/QĐ-UBND (test)"}],
            "make_up_days": [{"date": "2026-02-07", "source": "QĐ 1/QĐ-UBND (test)"}],
        },
    )
    calendar = load_calendar(province)
    assert calendar.due_at(local(2026, 2, 5), 2) == close_of(2026, 2, 7)
    assert calendar.due_at(local(2026, 2, 5), 3) == close_of(2026, 2, 9)
    assert calendar.due_at(local(2026, 2, 12), 1) == close_of(2026, 2, 23)
    assert calendar.due_at(local(2026, 2, 7, 9), 0) == close_of(2026, 2, 7)
    assert due_at(local(2026, 2, 12), 1) == close_of(2026, 2, 13), "the shipped calendar is kept"


def test_a_province_override_wins_over_the_yearly_file(province):
    write(
        province,
        "overrides.json",
        {
            "days_off": [{"date": "2026-08-22", "source": "test: the swap is cancelled"}],
            "make_up_days": [{"date": "2026-08-31", "source": "test: the swap is cancelled"}],
        },
    )
    calendar = load_calendar(province)
    assert not calendar.is_working_day(date(2026, 8, 22))
    assert calendar.is_working_day(date(2026, 8, 31))


def test_office_hours_and_the_cut_off_come_from_their_file(province):
    write(
        province,
        "office_hours.json",
        {
            "working_weekdays": ["mon", "tue", "wed", "thu", "fri"],
            "periods": [{"start": "07:00", "end": "11:30"}, {"start": "13:30", "end": "16:30"}],
            "same_day_cutoff": "16:00",
        },
    )
    calendar = load_calendar(province)
    assert calendar.due_at(local(2026, 1, 7, 15, 30), 0) == local(2026, 1, 7, 16, 30)
    assert calendar.due_at(local(2026, 1, 7, 16, 0), 0) == local(2026, 1, 8, 16, 30)
    assert calendar.due_in_hours(local(2026, 1, 7, 11), 1) == local(2026, 1, 7, 14)


def test_a_year_without_a_file_falls_back_to_the_package_and_weekends(tmp_path):
    calendar = load_calendar(tmp_path)
    assert calendar.due_at(local(2026, 2, 13), 1) == close_of(2026, 2, 23)
    assert calendar.is_working_day(date(2026, 8, 22))


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("overrides.json", {"days_off": [{"date": "2026-02-13"}]}, "source"),
        ("overrides.json", {"make_up_days": [{"date": "13/02/2026", "source": "x"}]}, "date"),
        (
            "overrides.json",
            {
                "days_off": [{"date": "2026-02-07", "source": "x"}],
                "make_up_days": [{"date": "2026-02-07", "source": "x"}],
            },
            "both",
        ),
        ("VN-2030.json", {"days_off": [{"date": "2031-01-01", "source": "x"}]}, "2030"),
        (
            "office_hours.json",
            {
                "working_weekdays": ["mon"],
                "periods": [{"start": "13:00", "end": "17:00"}, {"start": "07:30", "end": "11:30"}],
            },
            "periods",
        ),
        ("office_hours.json", {"working_weekdays": ["monday"], "periods": []}, "weekdays"),
    ],
)
def test_a_malformed_calendar_file_is_refused_naming_it(tmp_path, name, content, words):
    write(tmp_path, name, content)
    with pytest.raises(CalendarError) as caught:
        load_calendar(tmp_path)
    assert name in str(caught.value)
    assert words in str(caught.value)


def test_a_missing_calendar_folder_is_an_error(tmp_path):
    with pytest.raises(CalendarError):
        load_calendar(tmp_path / "nowhere")
