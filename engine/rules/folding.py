"""Accent-free, case-free text for search: a clerk types "nguyen van an" or "DANG" for
"Nguyễn Văn An" or "Đặng", as Vietnamese keyboards without a Telex mode (and hurried hands) do.
The dossier's `search_text` column and every search query are folded by these two functions, so
what is stored and what is asked always compare alike."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

_NOT_DECOMPOSED = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})
"""đ is a letter of its own, not d with a mark: Unicode gives it no decomposition. The look-alike
eth (Ð, ð), which some keyboards and old records put for Đ, folds the same way."""

SEARCHED_APPLICANT_FIELDS = ("full_name", "id_number", "phone")
SEPARATOR = "\n"
"""Between the searched parts: a folded query never holds one (whitespace collapses to single
spaces), so no search matches across two parts."""


def fold(text: str) -> str:
    """Lower-case, diacritics stripped (NFD, combining marks dropped), đ -> d, runs of
    whitespace as one space, trimmed."""
    decomposed = unicodedata.normalize("NFD", text.translate(_NOT_DECOMPOSED))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.lower().split())


def search_text(code: str, applicant: Mapping[str, Any]) -> str:
    """What a dossier is found by: its code and its applicant's name, ID number and phone,
    each folded."""
    parts = [code, *(str(applicant.get(key) or "") for key in SEARCHED_APPLICANT_FIELDS)]
    return SEPARATOR.join(fold(part) for part in parts)
