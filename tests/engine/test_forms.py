"""The server enforces a step's form-js schema: what the form forbids cannot be stored."""

from __future__ import annotations

import json
from datetime import date

import pytest

from engine.errors import InvalidData
from engine.rules.forms import REQUIRED
from engine.rules.forms import UNKNOWN
from engine.rules.forms import parse_form
from engine.rules.forms import validate

SCHEMA = {
    "type": "default",
    "components": [
        {"type": "text", "text": "# Heading, not an input"},
        {
            "type": "textfield",
            "key": "full_name",
            "validate": {"required": True, "maxLength": 10},
        },
        {"type": "textfield", "key": "id_number", "validate": {"pattern": "^[0-9]{12}$"}},
        {"type": "number", "key": "amount", "validate": {"min": 0, "max": 100}},
        {
            "type": "select",
            "key": "decision",
            "values": [
                {"label": "Approve", "value": "approve"},
                {"label": "No", "value": "refuse"},
            ],
            "validate": {"required": True},
        },
        {
            "type": "textarea",
            "key": "reason",
            "validate": {"required": True},
            "conditional": {"hide": '=decision != "refuse"'},
        },
        {"type": "checkbox", "key": "verified"},
        {"type": "datetime", "key": "born_on", "subtype": "date"},
        {
            "type": "group",
            "components": [{"type": "textfield", "key": "nested_note", "validate": {}}],
        },
    ],
}
VALID = {"full_name": "Lan", "decision": "approve"}


@pytest.fixture(scope="module")
def fields():
    return parse_form(json.dumps(SCHEMA))


def errors_of(fields, data):
    with pytest.raises(InvalidData) as caught:
        validate(fields, data)
    return caught.value.errors


def test_valid_data_comes_back_cleaned(fields):
    data = {
        **VALID,
        "id_number": "001234567890",
        "amount": 100,
        "verified": True,
        "born_on": "2026-02-28",
        "nested_note": "in a group",
    }
    assert validate(fields, data) == data


def test_only_input_components_become_fields(fields):
    assert [f.key for f in fields] == [
        "full_name",
        "id_number",
        "amount",
        "decision",
        "reason",
        "verified",
        "born_on",
        "nested_note",
    ]


@pytest.mark.parametrize(
    "data",
    [{"decision": "approve"}, {**VALID, "full_name": ""}, {**VALID, "full_name": None}],
    ids=["absent", "empty", "null"],
)
def test_a_required_field_must_be_filled(fields, data):
    assert errors_of(fields, data) == {"full_name": [REQUIRED]}


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"id_number": "12345"}, "id_number"),
        ({"id_number": "00123456789x"}, "id_number"),
        ({"amount": -1}, "amount"),
        ({"amount": 100.5}, "amount"),
        ({"amount": "50"}, "amount"),
        ({"amount": True}, "amount"),
        ({"full_name": "Nguyễn Thị Lan"}, "full_name"),
        ({"full_name": 42}, "full_name"),
        ({"decision": "maybe"}, "decision"),
        ({"verified": "yes"}, "verified"),
        ({"verified": 1}, "verified"),
        ({"born_on": "2026-02-30"}, "born_on"),
        ({"born_on": "28/02/2026"}, "born_on"),
        ({"born_on": 20260228}, "born_on"),
    ],
    ids=lambda value: json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value,
)
def test_a_value_breaking_its_rule_is_refused_naming_the_field(fields, extra, field):
    errors = errors_of(fields, {**VALID, **extra})
    assert list(errors) == [field]
    assert errors[field]


def test_a_hidden_field_is_not_required_and_is_dropped(fields):
    assert validate(fields, VALID) == VALID
    assert validate(fields, {**VALID, "reason": "not shown"}) == VALID


def test_a_field_shown_by_its_condition_is_required_again(fields):
    assert errors_of(fields, {"full_name": "Lan", "decision": "refuse"}) == {"reason": [REQUIRED]}
    data = {"full_name": "Lan", "decision": "refuse", "reason": "Không đủ điều kiện"}
    assert validate(fields, data) == data


def test_an_unknown_field_is_refused(fields):
    assert errors_of(fields, {**VALID, "salary": 1}) == {"salary": [UNKNOWN]}


def test_every_broken_field_is_reported_at_once(fields):
    errors = errors_of(fields, {"id_number": "1", "amount": 101, "decision": "x", "extra": 1})
    assert set(errors) == {"full_name", "id_number", "amount", "decision", "extra"}


@pytest.mark.parametrize("data", [[], "text", 1, None, [{"full_name": "Lan"}]])
def test_data_that_is_not_an_object_is_refused(fields, data):
    assert set(errors_of(fields, data)) == {"data"}


@pytest.mark.parametrize("data", [{}, {"anything": [1, 2]}, {"nested": {"a": None}}])
def test_a_step_without_form_accepts_any_object(data):
    assert validate(None, data) == data


def test_a_step_without_form_still_refuses_a_non_object():
    with pytest.raises(InvalidData) as caught:
        validate(None, ["not", "an", "object"])
    assert set(caught.value.errors) == {"data"}


@pytest.mark.parametrize(
    "schema",
    [[], {"components": "none"}, {"components": [{"type": "textfield", "key": "not-an-id"}]}],
)
def test_a_schema_that_is_not_a_form_is_refused(schema):
    with pytest.raises(ValueError, match="component|components"):
        parse_form(json.dumps(schema))


BIRTH = parse_form(
    json.dumps(
        {
            "components": [
                {
                    "type": "datetime",
                    "subtype": "date",
                    "key": "child_birth_date",
                    "properties": {"disallowFutureDates": "true"},
                },
                {"type": "datetime", "subtype": "date", "key": "appointment"},
                {
                    "type": "datetime",
                    "subtype": "datetime",
                    "key": "born_at",
                    "properties": {"disallowFutureDates": "true"},
                },
            ]
        }
    )
)


def test_a_date_marked_not_after_today_may_be_today_or_before():
    today = date(2026, 12, 8)

    kept = validate(
        BIRTH, {"child_birth_date": "2026-12-08", "appointment": "2027-01-05"}, today=today
    )

    assert kept == {"child_birth_date": "2026-12-08", "appointment": "2027-01-05"}


def test_a_date_marked_not_after_today_is_refused_tomorrow_in_both_languages():
    with pytest.raises(InvalidData) as refused:
        validate(BIRTH, {"child_birth_date": "2026-12-09"}, today=date(2026, 12, 8))

    assert refused.value.errors == {
        "child_birth_date": [
            "Ngày này không được sau hôm nay, 08/12/2026 (must not be after today, 08/12/2026)."
        ]
    }


def test_a_moment_counts_by_its_day_in_vietnam():
    """23:30 UTC on the 8th is already the 9th in Vietnam (UTC+7)."""
    with pytest.raises(InvalidData) as refused:
        validate(BIRTH, {"born_at": "2026-12-08T23:30:00+00:00"}, today=date(2026, 12, 8))

    assert list(refused.value.errors) == ["born_at"]
    assert validate(BIRTH, {"born_at": "2026-12-08T16:30:00+00:00"}, today=date(2026, 12, 8))
