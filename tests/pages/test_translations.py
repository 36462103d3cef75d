"""Every text a page shows through `_()` or `translate()` has its English: with the EN switch
on, a missing one would show in Vietnamese in the middle of an English page."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "ui" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
LITERAL = r"""\(\s*(["'])(.+?)\1\s*\)"""


def _texts(folder: Path, pattern: str, call: str) -> set[tuple[str, str]]:
    found = set()
    for path in folder.rglob(pattern):
        if "slips" in path.parts:  # the legal forms are printed in Vietnamese only
            continue
        for match in re.finditer(call + LITERAL, path.read_text(encoding="utf-8")):
            found.add((str(path.relative_to(ROOT)), match.group(2)))
    return found


def test_every_page_text_has_its_english():
    with CATALOGUE.open("rb") as handle:
        english = {message.id for message in read_po(handle) if message.id and message.string}
    texts = _texts(ROOT / "ui" / "templates", "*.html", r"\b_")
    texts |= _texts(ROOT / "api" / "pages", "*.py", r"\btranslate")
    assert len(texts) > 200, "the scan found the page texts"
    assert sorted((path, text) for path, text in texts if text not in english) == []


def test_the_english_page_reads_the_compiled_catalogue(browser):
    browser.login("tiepnhan1")

    page = browser.get("/", query_string={"lang": "en"}).get_data(as_text=True)

    assert ">Inbox<" in page or "Inbox</" in page
    assert "Hộp việc</h1>" not in page
