"""Server-rendered pages of the civil servant workspace: the same schemas and engine functions as
the API, rendered with Jinja (templates in ui/templates, assets in ui/static)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask import current_app
from flask import request
from werkzeug.exceptions import HTTPException

from api.errors import http_problem
from api.pages import accounts
from api.pages import analytics
from api.pages import auth
from api.pages import bottlenecks
from api.pages import dossier_actions
from api.pages import dossiers
from api.pages import i18n
from api.pages import inbox
from api.pages import incidents
from api.pages import reception
from api.pages import studio
from api.pages import studio_catalogue
from api.pages import studio_versions
from api.pages import tasks
from api.pages import tracking
from api.pages import user_admin
from api.pages.common import csrf
from api.pages.common import http_error_page
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


def _http_error(error: HTTPException) -> Any:
    """Problem details under /api/, a readable page everywhere else (an unknown address typed
    in the browser, an upload too large for a page's form)."""
    if request.path.startswith("/api/"):
        return http_problem(error)
    return http_error_page(error)


def register(app: Flask) -> None:
    i18n.register(app)
    app.register_error_handler(HTTPException, _http_error)  # replaces api.errors' for pages
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
        user_admin,
        tracking,
        studio_catalogue,
        studio,
        analytics,
        bottlenecks,
        studio_versions,
    ):
        app.register_blueprint(module.blp)
    app.register_blueprint(studio_catalogue.drafts)
