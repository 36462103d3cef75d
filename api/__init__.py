"""The Flask application factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask import Response
from flask import request
from flask import send_from_directory
from flask_smorest import Api
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix

from api import auth
from api import cli
from api import errors
from api import pages
from api import scheduler
from api.config import ROOT
from api.config import connector_settings
from api.config import from_environment
from api.database import EXTENSION_KEY
from api.extensions import db
from api.extensions import migrate
from api.json_responses import OrjsonProvider
from api.routes import IdConverter
from api.routes import attachments
from api.routes import audit as audit_routes
from api.routes import auth as auth_routes
from api.routes import bottlenecks
from api.routes import calendar as calendar_routes
from api.routes import decisions
from api.routes import dossiers
from api.routes import drafts
from api.routes import incidents
from api.routes import messages
from api.routes import migrations as migration_routes
from api.routes import notices
from api.routes import procedures
from api.routes import slips
from api.routes import stats as stats_routes
from api.routes import tasks
from api.routes import tracking
from api.routes import units
from api.routes import users
from api.routes import webhooks
from engine.bpmn.connectors import registry as connectors
from engine.store.db import make_session_factory
from engine.store.db import tune_engine


class ProblemApi(Api):  # type: ignore[misc]
    """flask-smorest with our problem-details body for every HTTP error."""

    def handle_http_exception(self, error: HTTPException) -> Response:
        return errors.http_problem(error)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        static_folder=None,
        template_folder=str(ROOT / "ui" / "templates"),
    )
    app.json = OrjsonProvider(app)
    app.url_map.converters["int"] = IdConverter
    app.session_interface = auth.CookieSessions()
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(from_environment(Path(app.instance_path)))
    if test_config:
        app.config.from_mapping(test_config)
    connectors.configure(connector_settings(app.config))
    if app.config["TRUSTED_PROXIES"] > 0:
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    with app.app_context():
        app.extensions[EXTENSION_KEY] = make_session_factory(tune_engine(db.engine))
    api = ProblemApi(app)
    for module in (auth_routes, procedures, dossiers, tasks, units, users):
        api.register_blueprint(module.blp)
    api.register_blueprint(slips.blp)
    api.register_blueprint(calendar_routes.blp)
    api.register_blueprint(tracking.blp)
    api.register_blueprint(attachments.blp)
    api.register_blueprint(webhooks.blp)
    api.register_blueprint(notices.blp)
    api.register_blueprint(audit_routes.blp)
    api.register_blueprint(incidents.blp)
    api.register_blueprint(messages.blp)
    api.register_blueprint(decisions.blp)
    api.register_blueprint(drafts.blp)
    api.register_blueprint(stats_routes.blp)
    api.register_blueprint(bottlenecks.blp)
    api.register_blueprint(migration_routes.blp)
    errors.register(app)
    app.extensions[auth.ACTOR_CACHE_KEY] = auth.ActorCache()
    app.before_request(auth.authenticate_request)
    pages.register(app)
    app.after_request(_security_headers)
    _static_routes(app)
    cli.register(app)
    if scheduler.should_start(app):
        scheduler.start(app)
    return app


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    if response.mimetype == "text/html" and not request.path.startswith("/api/v1/docs"):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
"""Pages run only self-hosted scripts (bpmn-js, form-js); form-js and bpmn-js set inline styles.
The Swagger UI page (/api/v1/docs) keeps its own inline start-up script, so it is left out."""


def _static_routes(app: Flask) -> None:
    swagger_dir = Path(app.config["UI_NODE_MODULES"]) / "swagger-ui-dist"
    vendor = {
        "bpmn-js": Path(app.config["UI_NODE_MODULES"]) / "bpmn-js" / "dist",
        "form-js": Path(app.config["UI_NODE_MODULES"]) / "@bpmn-io" / "form-js" / "dist",
        # form-js's own date picker (its dependency, pinned by ui/package-lock.json)
        "flatpickr": Path(app.config["UI_NODE_MODULES"]) / "flatpickr" / "dist",
    }

    @app.get("/static/ui/<path:filename>")
    def ui_assets(filename: str) -> Any:
        return send_from_directory(ROOT / "ui" / "static", filename, max_age=3600)

    @app.get("/static/vendor/<string:package>/<path:filename>")
    def vendor_assets(package: str, filename: str) -> Any:
        folder = vendor.get(package)
        if folder is None or not folder.is_dir():
            raise NotFound(f"{package} is not installed: run `make setup`")
        return send_from_directory(folder, filename, max_age=86400)

    @app.get("/static/swagger-ui/<path:filename>")
    def swagger_assets(filename: str) -> Any:
        if not swagger_dir.is_dir():
            raise NotFound("swagger-ui-dist is not installed: run `make setup`")
        return send_from_directory(swagger_dir, filename)
