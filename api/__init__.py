"""The Flask application factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask import Response
from flask import redirect
from flask import send_from_directory
from flask_smorest import Api
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound

from api import auth
from api import cli
from api import errors
from api.config import ROOT
from api.config import from_environment
from api.database import EXTENSION_KEY
from api.extensions import db
from api.extensions import migrate
from api.routes import auth as auth_routes
from api.routes import dossiers
from api.routes import procedures
from api.routes import tasks
from api.routes import units
from engine.db import make_session_factory
from engine.db import tune_engine


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
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(from_environment(Path(app.instance_path)))
    if test_config:
        app.config.from_mapping(test_config)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    with app.app_context():
        app.extensions[EXTENSION_KEY] = make_session_factory(tune_engine(db.engine))
    api = ProblemApi(app)
    for module in (auth_routes, procedures, dossiers, tasks, units):
        api.register_blueprint(module.blp)
    errors.register(app)
    app.extensions[auth.ACTOR_CACHE_KEY] = auth.ActorCache()
    app.before_request(auth.authenticate_request)
    app.after_request(_security_headers)
    _static_routes(app)
    cli.register(app)
    return app


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _static_routes(app: Flask) -> None:
    swagger_dir = Path(app.config["UI_NODE_MODULES"]) / "swagger-ui-dist"

    @app.get("/")
    def home() -> Any:
        return redirect("/api/v1/docs")

    @app.get("/static/swagger-ui/<path:filename>")
    def swagger_assets(filename: str) -> Any:
        if not swagger_dir.is_dir():
            raise NotFound("swagger-ui-dist is not installed: run `make setup`")
        return send_from_directory(swagger_dir, filename)
