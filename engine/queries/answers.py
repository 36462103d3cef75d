"""The words behind a step's answers in the history: the form's field labels and option labels of
the version a dossier runs, so `dossier_complete: yes` reads "Hồ sơ đầy đủ: Có"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.rules import forms

FORM_SUFFIX = ".form.json"
AnswerLabels = dict[str, tuple[str, dict[str, str]]]


def answer_labels(session: Session, procedure_code: str, version: int) -> AnswerLabels:
    """Each field key of the version's forms: its label and its options' labels."""
    content_hash = session.scalar(
        select(ProcedureVersion.content_hash)
        .join(Procedure, Procedure.id == ProcedureVersion.procedure_id)
        .where(Procedure.code == procedure_code, ProcedureVersion.number == version)
    )
    if content_hash is None:
        return {}
    return _labels_of(session, content_hash)


def _labels_of(session: Session, content_hash: str) -> AnswerLabels:
    if content_hash not in _CACHE:
        files = session.scalar(
            select(ProcedureVersion.files).where(ProcedureVersion.content_hash == content_hash)
        )
        _CACHE[content_hash] = _parsed(files or {})
    return _CACHE[content_hash]


_CACHE: dict[str, AnswerLabels] = {}
"""By the files' hash: a version's files never change."""


def _parsed(files: dict[str, str]) -> AnswerLabels:
    parsed = []
    for name, text in sorted(files.items()):
        if name.endswith(FORM_SUFFIX):
            try:
                parsed.append(forms.parse_form(text))
            except ValueError:
                continue  # published forms parse; an odd one costs its labels, not the page
    return forms.answer_labels(parsed)


def reception_forms(session: Session) -> dict[str, list[forms.Field]]:
    """The reception form (forms.RECEPTION_FORM) of each procedure's current version that has
    one, by procedure code: what the desk asks besides the applicant."""
    rows = session.execute(
        select(Procedure.code, ProcedureVersion.files)
        .join(ProcedureVersion, ProcedureVersion.id == Procedure.current_version_id)
        .order_by(Procedure.code)
    ).all()
    found = {}
    for code, files in rows:
        text = (files or {}).get(forms.RECEPTION_FORM)
        if text:
            try:
                found[code] = forms.parse_form(text)
            except ValueError:
                continue  # a published form parses; an odd one costs the desk its fields
    return found


def printed_on_slips(files: dict[str, str], data: dict[str, Any]) -> list[tuple[forms.Field, Any]]:
    """The reception form's fields marked forms.ON_SLIPS, in the form's order, with what the
    dossier's data holds for each (None when the desk left it empty)."""
    text = files.get(forms.RECEPTION_FORM)
    if not text:
        return []
    try:
        fields = forms.parse_form(text)
    except ValueError:
        return []  # a published form parses; an odd one costs the slips these lines
    return [(field, data.get(field.key)) for field in fields if field.on_slips]
