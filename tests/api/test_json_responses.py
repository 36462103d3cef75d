"""API answers are written by orjson (api/json_responses.py): what a client reads must not
change, whatever the values."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime

from tests.api.journeys import APPLICANT


def test_a_dossier_answer_carries_vietnamese_text_as_utf8_with_sorted_keys(desk):
    response = desk.post(
        "/api/v1/dossiers",
        {"procedure_code": "newborn_bundle", "channel": "in_person", "applicant": APPLICANT},
        by="tiepnhan1",
    )
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    body = response.get_data()
    assert APPLICANT["full_name"].encode() in body  # UTF-8, not \u escapes
    parsed = json.loads(body)
    assert parsed["applicant"]["full_name"] == APPLICANT["full_name"]
    assert list(parsed) == sorted(parsed)
    assert body.endswith(b"}\n")


def test_values_orjson_refuses_are_still_answered_exactly(app):
    # an integer past 64 bits goes to Flask's json module; dates keep Flask's HTTP format
    with app.test_request_context():
        past_64_bits = app.json.response({"number": 1234567890123456789012345})
        assert json.loads(past_64_bits.get_data()) == {"number": 1234567890123456789012345}
        dates = app.json.response({"at": datetime(2026, 11, 23, 9, 30, tzinfo=UTC)})
        assert json.loads(dates.get_data()) == {"at": "Mon, 23 Nov 2026 09:30:00 GMT"}
