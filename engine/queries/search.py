"""Finding a dossier by what a clerk has at hand: part of its code, the applicant's name, their
ID number (CCCD) or phone, the way the inbox and the dossier list both search."""

from __future__ import annotations

from sqlalchemy import BindParameter
from sqlalchemy import ColumnElement
from sqlalchemy import bindparam
from sqlalchemy import or_

from engine.models import Dossier

MAX_QUERY_LENGTH = 100


def like_pattern(q: str) -> str:
    """`q` as a case-insensitive LIKE pattern for "contains", its wildcards escaped."""
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def dossier_matches(parameter: str = "pattern") -> ColumnElement[bool]:
    """The dossier's code, or its applicant's name, ID number or phone, contains the search
    (bound as `parameter`, a `like_pattern`)."""
    pattern: BindParameter[str] = bindparam(parameter)
    return or_(
        Dossier.code.ilike(pattern, escape="\\"),
        Dossier.applicant["full_name"].as_string().ilike(pattern, escape="\\"),
        Dossier.applicant["id_number"].as_string().ilike(pattern, escape="\\"),
        Dossier.applicant["phone"].as_string().ilike(pattern, escape="\\"),
    )
