"""Finding a dossier by what a clerk has at hand: part of its code, the applicant's name (with or
without accents, any case), their ID number (CCCD) or phone, the way the inbox and the dossier
list both search. A search that starts like a dossier code ("c01-2612", any case) finds the codes
that start so, through the code's pattern index; any other is a "contains" match on the dossier's
folded `search_text` (engine.rules.folding), which a trigram index serves on PostgreSQL."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import BindParameter
from sqlalchemy import ColumnElement
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import literal_column

from engine.models import Dossier
from engine.rules.folding import fold

MAX_QUERY_LENGTH = 100
CODE_START = re.compile(r"^[a-z]+[0-9]*-[0-9]")
"""`<unit>-<YYMMDD>-<NNNN>` typed from its start (a unit code, a hyphen, a digit): no name, ID
number or phone looks like it. Trigrams would serve it badly: every code shares its "-26"."""
TEXT, CODE = "text", "code"


@dataclass(frozen=True)
class Search:
    kind: str
    """"" (no search), TEXT or CODE."""
    pattern: str
    """The LIKE pattern `dossier_matches(kind)` is bound to."""


def dossier_search(q: str | None) -> Search:
    folded = fold((q or "")[:MAX_QUERY_LENGTH])
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if not folded:
        return Search("", "%")
    if CODE_START.match(folded):
        return Search(CODE, escaped.upper() + "%")
    return Search(TEXT, f"%{escaped}%")


def dossier_matches(
    kind: str, parameter: str = "pattern", *, scanned: bool = False
) -> ColumnElement[bool]:
    """The dossier matches the search of this kind (its pattern bound as `parameter`).
    `scanned`: checked on each row a range of some other index gives (the copy of `search_text`
    the dossier list's covering indexes hold), never through the search indexes: PostgreSQL
    believes a trigram search of a common name cheap, and it is not (every name shares "an ")."""
    pattern: BindParameter[str] = bindparam(parameter)
    if scanned:  # `|| ''` changes nothing but hides the column from the search indexes
        folded = pattern if kind == TEXT else func.lower(pattern)
        return Dossier.search_text.concat(literal_column("''")).like(folded, escape="\\")
    if kind == CODE:
        return Dossier.code.like(pattern, escape="\\")
    return Dossier.search_text.like(pattern, escape="\\")
