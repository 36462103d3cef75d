"""Every text a page shows through `_()` or `translate()` has its English: with the EN switch
on, a missing one would show in Vietnamese in the middle of an English page."""

from __future__ import annotations

import re
from pathlib import Path

from api.pages.i18n import ENGLISH

ROOT = Path(__file__).resolve().parents[2]
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
    texts = _texts(ROOT / "ui" / "templates", "*.html", r"\b_")
    texts |= _texts(ROOT / "api" / "pages", "*.py", r"\btranslate")
    assert len(texts) > 200, "the scan found the page texts"
    assert sorted((path, text) for path, text in texts if text not in ENGLISH) == []
