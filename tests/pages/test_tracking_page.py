"""Citizens track their dossier on a public page with the code and key printed on the receipt:
no account, the same answer for a wrong key and an unknown code, nothing about the applicant."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from markupsafe import escape

from engine.rules.calendar import LOCAL_TZ

REFUSED = re.compile(r'data-testid="tracking-refused">([^<]+)<')
NOT_FOUND = "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này."


@pytest.fixture
def citizen(app):
    """A visitor with no session at all: a browser of their own, never logged in."""
    return app.test_client()


def local(iso: str) -> str:
    """How the page prints an API time: `22/11/2026 15:30`, Vietnam time."""
    return f"{datetime.fromisoformat(iso).astimezone(LOCAL_TZ):%d/%m/%Y %H:%M}"


def text(response) -> str:
    return response.get_data(as_text=True)


def test_an_anonymous_visitor_gets_the_form_and_where_to_find_the_codes(citizen):
    response = citizen.get("/tra-cuu")

    assert response.status_code == 200
    page = text(response)
    for words in ("Tra cứu hồ sơ", "Mã hồ sơ", "Mã tra cứu", "Giấy tiếp nhận hồ sơ và hẹn trả"):
        assert words in page, words
    assert 'name="code"' in page and 'name="key"' in page
    assert "Hộp việc" not in page and "Đăng xuất" not in page  # no staff menu
    assert response.headers["Cache-Control"] == "no-store"


def test_the_login_page_links_citizens_to_the_tracking_page(citizen):
    page = text(citizen.get("/login"))
    assert 'href="/tra-cuu"' in page
    assert "Công dân tra cứu hồ sơ" in page


def test_a_citizen_sees_the_status_and_appointment_of_their_dossier(desk, citizen):
    dossier = desk.receive()

    response = citizen.get(
        "/tra-cuu", query_string={"code": dossier["code"], "key": dossier["lookup_key"].lower()}
    )

    assert response.status_code == 200, text(response)
    page = text(response)
    assert str(escape(dossier["procedure_name"])) in page
    assert "Được tiếp nhận" in page
    assert local(dossier["received_at"]) in page
    assert local(dossier["due_at"]) in page
    assert "Trong hạn" in page
    assert f'value="{dossier["code"]}"' in page  # the form stays filled in
    assert dossier["applicant"]["full_name"] not in page
    assert response.headers["Cache-Control"] == "no-store"


def test_a_wrong_key_and_an_unknown_code_get_the_same_message(desk, citizen):
    dossier = desk.receive()
    other_key = "AAAAAA" if dossier["lookup_key"] != "AAAAAA" else "BBBBBB"

    wrong_key = citizen.get("/tra-cuu", query_string={"code": dossier["code"], "key": other_key})
    unknown = citizen.get(
        "/tra-cuu", query_string={"code": "C01-000000-9999", "key": dossier["lookup_key"]}
    )

    assert wrong_key.status_code == unknown.status_code == 404
    said = [REFUSED.search(text(response)) for response in (wrong_key, unknown)]
    assert said[0] and said[1], "no refusal message on the page"
    assert said[0].group(1) == said[1].group(1)
    assert said[0].group(1).startswith(NOT_FOUND)
    assert str(escape(dossier["procedure_name"])) not in text(wrong_key)


@pytest.mark.parametrize(
    "query",
    [{"code": "C01-" + "9" * 40, "key": "ABCDEF"}, {"code": "", "key": ""}, {"code": "C01-1"}],
    ids=["over-long code", "empty", "no key"],
)
def test_bad_input_keeps_the_form_and_says_what_is_wrong(citizen, query):
    response = citizen.get("/tra-cuu", query_string=query)

    assert response.status_code == 422
    page = text(response)
    assert 'class="errors"' in page
    assert f'value="{query["code"]}"' in page
    assert NOT_FOUND not in page


def test_the_page_switches_to_english(desk, citizen):
    dossier = desk.receive()

    response = citizen.get(
        "/tra-cuu",
        query_string={"code": dossier["code"], "key": dossier["lookup_key"], "lang": "en"},
    )

    page = text(response)
    assert response.status_code == 200
    for words in ("Track a dossier", "Dossier code", "Lookup key", "Received on", "Result appoint"):
        assert words in page, words
    assert "<dd>Received</dd>" in page and "<dd>Within the time limit</dd>" in page
    assert "Được tiếp nhận" not in page
    unknown = {"code": "C01-000000-9999", "key": dossier["lookup_key"]}
    wrong = citizen.get("/tra-cuu", query_string=unknown)
    assert "No dossier matches this dossier code and lookup key." in text(wrong)  # remembered


def test_the_page_stops_an_address_that_keeps_guessing(app, desk, citizen):
    app.config["LOOKUP_MAX_FAILURES_PER_IP"] = 2
    dossier = desk.receive()
    for wrong in ("AAAAAA", "BBBBBB"):
        guess = {"code": dossier["code"], "key": wrong}
        assert citizen.get("/tra-cuu", query_string=guess).status_code == 404
    right = {"code": dossier["code"], "key": dossier["lookup_key"]}
    blocked = citizen.get("/tra-cuu", query_string=right)
    assert blocked.status_code == 429
    assert "Đã nhập sai quá nhiều lần" in text(blocked)
    assert str(escape(dossier["procedure_name"])) not in text(blocked)
    assert blocked.headers["Retry-After"]
