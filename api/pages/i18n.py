"""Page texts: written in Vietnamese in the templates and pages, translated through gettext
(Flask-Babel) for the English switch. The catalogue is ui/translations/en/LC_MESSAGES/
messages.po (msgid the Vietnamese, msgstr the English), compiled by `make setup`; a text missing
there shows in Vietnamese, never as a key, and tests/pages/test_translations.py names it.
"""

from __future__ import annotations

from flask import Flask
from flask import request
from flask import session
from flask_babel import Babel
from flask_babel import gettext

from api.auth import LANGUAGE_KEY

LANGUAGES = ("vi", "en")


def current_language() -> str:
    """`?lang=en` switches and is remembered in the session; Vietnamese otherwise."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session[LANGUAGE_KEY] = asked
        return asked
    kept = session.get(LANGUAGE_KEY)
    return kept if kept in LANGUAGES else "vi"


def translate(text: str) -> str:
    """The page text in the page's language: Vietnamese as written, English from the catalogue
    (ui/translations/en/LC_MESSAGES/messages.po; a text missing there shows in Vietnamese)."""
    return str(gettext(text))


def register(app: Flask) -> None:
    """Flask-Babel reads the catalogues under ui/translations (compiled by `make setup`) in the
    language `current_language` picks."""
    Babel(
        app,
        locale_selector=current_language,
        default_translation_directories="../ui/translations",  # from the app's root, api/
    )
