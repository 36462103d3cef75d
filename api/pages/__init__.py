"""Server-rendered pages of the civil servant workspace: the same schemas and engine functions as
the API, rendered with Jinja (templates in ui/templates, assets in ui/static)."""

from __future__ import annotations

from flask import Flask
from flask import current_app
from flask import request

from api.pages import accounts
from api.pages import auth
from api.pages import dossier_actions
from api.pages import dossiers
from api.pages import inbox
from api.pages import incidents
from api.pages import reception
from api.pages import studio
from api.pages import tasks
from api.pages import tracking
from api.pages.common import csrf
from api.pages.common import register_template_helpers

UPLOAD_ENDPOINTS = frozenset(
    {
        "attachments.DossierAttachments",
        "pages_dossiers.add_attachments",
        "pages_reception.receive",
    }
)


def _upload_limit() -> None:
    """Requests carrying documents may hold several files of ATTACHMENT_MAX_BYTES each."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = current_app.config["ATTACHMENT_REQUEST_MAX_BYTES"]


def register(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    csrf.init_app(app)
    register_template_helpers(app)
    app.before_request(_upload_limit)
    for module in (
        auth,
        inbox,
        tasks,
        dossiers,
        dossier_actions,
        reception,
        incidents,
        accounts,
        tracking,
        studio,
    ):
        app.register_blueprint(module.blp)
