"""The English catalogue and the page texts stay one: `make translations` extracts every text
(ui/translations/babel.cfg) and each has its English, each catalogue entry is still used, and a
Vietnamese page shows none of the catalogue's English."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.api.journeys import NEWBORN_STEPS
from tests.pages.conftest import Browser

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "ui" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MAPPING = ROOT / "ui" / "translations" / "babel.cfg"


def _catalogue() -> dict[str, str]:
    with CATALOGUE.open("rb") as handle:
        return {message.id: message.string for message in read_po(handle) if message.id}


def _extracted() -> dict[str, str]:
    """Text → where it is, found exactly as `make translations` finds it (same mapping file)."""
    with MAPPING.open() as handle:
        method_map, options_map = parse_mapping_cfg(handle, str(MAPPING))
    return {
        message: filename
        for filename, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map
        )
    }


@pytest.fixture(scope="module")
def extracted() -> dict[str, str]:
    return _extracted()


def test_every_extracted_page_text_has_its_english(extracted):
    english = {text for text, translation in _catalogue().items() if translation}

    assert len(extracted) > 300, "the extraction found the page texts"
    assert sorted((where, text) for text, where in extracted.items() if text not in english) == []


def test_every_catalogue_entry_is_found_by_the_extraction(extracted):
    """A text shown through a variable is marked N_() where it is defined; otherwise
    `make translations` would drop its English as no longer used."""
    assert sorted(text for text in _catalogue() if text not in extracted) == []


def test_the_english_page_reads_the_compiled_catalogue(browser):
    browser.login("tiepnhan1")

    page = browser.get("/", query_string={"lang": "en"}).get_data(as_text=True)

    assert ">Inbox<" in page or "Inbox</" in page
    assert "Hộp việc</h1>" not in page


# --- A Vietnamese page shows no English word of the catalogue --------------------------------

NEUTRAL = frozenset(
    {
        "Email",  # the same word on a Vietnamese form
        "OK",
        "PDF",
        "API",
        "BPMN",
        "DMN",
        "Một Cửa",
    }
)
"""English texts of the catalogue that a Vietnamese page may show as they are."""
RAW_KEY = re.compile(r"\b(?:[a-z]+_)+[a-z]+:|\b(?:items|payload|paid):")
"""An engine's key shown as it is ("applicant_due_at: …") instead of its words."""
SHOWN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")


class _VisibleText(HTMLParser):
    """The words a user reads: text outside scripts and styles, and the attributes a browser
    shows (placeholders, tooltips, labels read aloud, a submit button's value)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        values = dict(attrs)
        self.parts += [values[name] or "" for name in SHOWN_ATTRIBUTES if name in values]
        if tag == "input" and values.get("type") in ("submit", "button"):
            self.parts.append(values.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_in(text: str, catalogue: dict[str, str]) -> list[str]:
    """The catalogue's English texts found as whole words in `text` (a Vietnamese page)."""
    found = []
    for vietnamese, english in catalogue.items():
        english = english.strip()
        if not english or english == vietnamese or english in NEUTRAL:
            continue
        shown = re.escape(re.sub(r"\{\w+\}", "\0", english)).replace("\\\0", ".+?")
        shown = shown.replace("\0", ".+?")
        if re.search(rf"(?<![\w-]){shown}(?![\w-])", text):
            found.append(english)
    return found


def test_the_word_check_finds_an_english_label_and_leaves_vietnamese_alone():
    catalogue = {"Hộp việc": "Inbox", "Đã tạo tài khoản {username}.": "Account {username} created."}

    assert english_in("Hộp việc · Inbox", catalogue) == ["Inbox"]
    assert english_in("Account hotich9 created.", catalogue) == ["Account {username} created."]
    assert english_in("Hộp việc Inboxes", catalogue) == []


def _as(app, username: str | None) -> Browser:
    browser = Browser(app.test_client())
    if username:
        browser.login(username, "admin" if username == "admin" else "demo")
    return browser


def _world(desk) -> dict[str, int | str]:
    """A dossier at each stage a user meets: finished, at the police's and insurance's steps,
    waiting for a supplement; a social allowance dossier at its first step."""
    finished = desk.receive()["id"]
    desk.work_newborn(finished, *NEWBORN_STEPS)
    working = desk.receive()["id"]
    desk.work_newborn(working, "check_dossier", "register_birth")
    waiting = desk.receive()["id"]
    response = desk.post(
        f"/api/v1/dossiers/{waiting}/supplement-request",
        {"reason": "Thiếu giấy chứng sinh", "items": ["Giấy chứng sinh"]},
        by="tiepnhan1",
    )
    assert response.status_code == 200, response.json
    allowance = desk.receive("social_allowance")
    tracked = desk.dossier(finished)
    officer = desk.get("/api/v1/users", by="admin", q="hotich1").json["items"][0]["id"]
    return {
        "finished": finished,
        "working": working,
        "waiting": waiting,
        "residence_task": desk.task_id(working, "register_residence"),
        "insurance_task": desk.task_id(working, "issue_health_insurance_card"),
        "allowance_task": allowance["tasks"][0]["id"],
        "code": tracked["code"],
        "key": tracked["lookup_key"],
        "officer": officer,
    }


def _pages(w: dict[str, int | str]) -> list[tuple[str | None, str]]:
    """Every page route (GET, outside /api and /static) as the user who works with it."""
    return [
        (None, "/login"),
        (None, f"/tra-cuu?code={w['code']}&key={w['key']}"),
        ("tiepnhan1", "/"),
        ("tiepnhan1", "/?tab=queue"),
        ("lanhdao1", "/"),
        ("lanhdao1", "/?tab=escalated"),
        ("tiepnhan1", "/account/password"),
        ("tiepnhan1", "/dossiers"),
        ("tiepnhan1", f"/dossiers/{w['finished']}"),
        ("tiepnhan1", f"/dossiers/{w['working']}"),
        ("tiepnhan1", f"/dossiers/{w['waiting']}"),
        ("admin", "/incidents?state=all"),
        ("tiepnhan1", "/reception"),
        ("tiepnhan1", "/reception?procedure_code=newborn_bundle"),
        ("thietke", "/studio"),
        ("thietke", "/studio/newborn_bundle/edit"),
        ("congan1", f"/tasks/{w['residence_task']}"),
        ("bhxh1", f"/tasks/{w['insurance_task']}"),
        ("ldxh1", f"/tasks/{w['allowance_task']}"),
        ("admin", "/users"),
        ("admin", f"/users/{w['officer']}/disable"),
        ("admin", f"/users/{w['officer']}/password"),
        ("admin", f"/users/{w['officer']}/roles"),
        ("admin", "/users/new"),
        ("lanhdao1", "/analytics"),
        ("lanhdao1", "/analytics/dossiers?figure=received"),
        ("tiepnhan1", "/khong-co-trang-nay"),
    ]


def test_a_vietnamese_page_shows_no_english_of_the_catalogue(app, desk):
    catalogue = _catalogue()
    pages = _pages(_world(desk))
    routes = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not rule.rule.startswith(("/api/", "/static/"))
    }
    visited = set()
    browsers: dict[str | None, Browser] = {}
    found = []
    for username, url in pages:
        browser = browsers.setdefault(username, _as(app, username))
        response = browser.get(url)
        assert response.status_code == (404 if "khong-co" in url else 200), (username, url)
        adapter = app.url_map.bind("localhost")
        if response.status_code == 200:
            visited.add(adapter.match(url.split("?")[0], return_rule=True)[0].rule)
        text = visible_text(response.get_data(as_text=True))
        found += [f"{url} ({username}): {words}" for words in english_in(text, catalogue)]
        found += [f"{url} ({username}): {key}" for key in RAW_KEY.findall(text)]

    assert sorted(routes - visited) == [], "a page route is not visited here: add it to _pages"
    assert found == []
