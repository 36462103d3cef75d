"""Every setting, read from the environment with its default, in one place."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def from_environment(instance: Path) -> dict[str, Any]:
    default_db = f"sqlite:///{instance / 'motcua.db'}"
    return {
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", default_db),
        "SECRET_KEY": _secret_key(instance),
        "TOKEN_MAX_AGE_SECONDS": int(os.environ.get("TOKEN_MAX_AGE_SECONDS", 8 * 3600)),
        "ACTOR_CACHE_SECONDS": float(os.environ.get("ACTOR_CACHE_SECONDS", 5)),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)),
        "PROCESSES_DIR": os.environ.get("PROCESSES_DIR", str(ROOT / "processes")),
        "UI_NODE_MODULES": os.environ.get("UI_NODE_MODULES", str(ROOT / "ui" / "node_modules")),
        "API_TITLE": "Một Cửa API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/static/swagger-ui/",
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    }
