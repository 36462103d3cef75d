"""The marker for words defined in one place and translated where a page shows them.

`N_("Trong hạn")` returns the text unchanged; `make translations` (pybabel extract, see
ui/translations/babel.cfg) finds it, so the English catalogue keeps its translation although
the text reaches `_()` or `translate()` only through a variable.
"""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 - gettext's conventional name, a default pybabel keyword
    """The text as written (Vietnamese); only marks it for extraction."""
    return text
