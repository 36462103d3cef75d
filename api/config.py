"""Every setting, read from the environment with its default, in one place."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.bpmn.connectors.base import ConnectorSettings
from engine.rules.office_rules import DEFAULT_RULES
from engine.rules.office_rules import OfficeRules

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
        # background work (api/scheduler.py): timers, deadlines, outbox, webhooks
        "SCHEDULER_ENABLED": os.environ.get("SCHEDULER_ENABLED", "true").lower()
        not in ("0", "false", "no", "off"),
        "SWEEP_INTERVAL_SECONDS": float(os.environ.get("SWEEP_INTERVAL_SECONDS", 30)),
        "DISPATCH_INTERVAL_SECONDS": float(os.environ.get("DISPATCH_INTERVAL_SECONDS", 5)),
        "MIGRATION_INTERVAL_SECONDS": float(os.environ.get("MIGRATION_INTERVAL_SECONDS", 10)),
        "DUE_SOON_HOURS": float(os.environ.get("DUE_SOON_HOURS", 8)),
        # the leaders' on-time rate (engine/analytics/figures.py FORMULAS): "settled" =
        # (early + on time) / settled (domain.md §1.5); "all_to_process" = 100% minus late
        # settled and late in progress over all to process (some provinces' reports)
        "ON_TIME_FORMULA": os.environ.get("ON_TIME_FORMULA", "settled"),
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", 587)),
        "SMTP_USER": os.environ.get("SMTP_USER", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_FROM": os.environ.get("SMTP_FROM", "mot-cua@localhost"),
        "SMTP_SECURITY": os.environ.get("SMTP_SECURITY", "starttls"),
        "NOTIFY_MAX_ATTEMPTS": int(os.environ.get("NOTIFY_MAX_ATTEMPTS", 8)),
        "WEBHOOK_MAX_ATTEMPTS": int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", 10)),
        "WEBHOOK_TIMEOUT_SECONDS": float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", 5)),
        # unconfirmed rules of the decrees (engine/office_rules.py): defaults as documented there
        "MAX_APOLOGIES": int(os.environ.get("MAX_APOLOGIES", DEFAULT_RULES.max_apologies)),
        "MAX_SUPPLEMENT_REQUESTS": int(
            os.environ.get("MAX_SUPPLEMENT_REQUESTS", DEFAULT_RULES.max_supplement_requests)
        ),
        "APOLOGY_WORKING_DAYS_BEFORE_DUE": int(
            os.environ.get(
                "APOLOGY_WORKING_DAYS_BEFORE_DUE", DEFAULT_RULES.apology_working_days_before_due
            )
        ),
        "ATTACHMENTS_DIR": os.environ.get("ATTACHMENTS_DIR", str(instance / "attachments")),
        "ATTACHMENT_MAX_BYTES": int(os.environ.get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)),
        "ATTACHMENT_REQUEST_MAX_BYTES": int(
            os.environ.get("ATTACHMENT_REQUEST_MAX_BYTES", 60 * 1024 * 1024)
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        # accounts security: page sessions end after idle minutes or this absolute lifetime
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("SESSION_MAX_AGE_SECONDS", 12 * 3600)),
        "SESSION_IDLE_MINUTES": float(os.environ.get("SESSION_IDLE_MINUTES", 30)),
        "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", 5)),
        "LOGIN_MAX_FAILURES_PER_IP": int(os.environ.get("LOGIN_MAX_FAILURES_PER_IP", 20)),
        "LOGIN_WINDOW_SECONDS": int(os.environ.get("LOGIN_WINDOW_SECONDS", 15 * 60)),
        # wrong code/key pairs on the public tracking page and API, per address and window
        "LOOKUP_MAX_FAILURES_PER_IP": int(os.environ.get("LOOKUP_MAX_FAILURES_PER_IP", 30)),
        # how many reverse proxies (nginx, a load balancer) stand before gunicorn: their
        # X-Forwarded-For/-Proto then give the client's address (login limits, audit log) and
        # scheme; 0 ignores those headers, which any client could forge without a proxy
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", 0)),
        # the address citizens reach this site at (scheme, host, any path prefix): the QR code on
        # the receipt (form 01) opens <PUBLIC_BASE_URL>/tra-cuu; unset: the host it was printed from
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", ""),
        "WTF_CSRF_TIME_LIMIT": None,
        # service tasks (engine/bpmn/connectors): the hosts http/get and http/post may call
        # (host or host:port, comma-separated; none by default), each attempt's timeout, the
        # retries after a failure that may pass, the wait before the first retry (doubling)
        "CONNECTOR_ALLOWED_HOSTS": os.environ.get("CONNECTOR_ALLOWED_HOSTS", ""),
        "CONNECTOR_TIMEOUT_SECONDS": float(os.environ.get("CONNECTOR_TIMEOUT_SECONDS", 5)),
        "CONNECTOR_RETRIES": int(os.environ.get("CONNECTOR_RETRIES", 2)),
        "CONNECTOR_RETRY_BACKOFF_SECONDS": float(
            os.environ.get("CONNECTOR_RETRY_BACKOFF_SECONDS", 0.5)
        ),
        # population/lookup: the national population database's endpoint (unset: every lookup
        # is an incident saying so) and its bearer token
        "POPULATION_API_URL": os.environ.get("POPULATION_API_URL", ""),
        "POPULATION_API_TOKEN": os.environ.get("POPULATION_API_TOKEN", ""),
    }


def office_rules(config: Mapping[str, Any]) -> OfficeRules:
    """The unconfirmed rules as this deployment set them."""
    return OfficeRules(
        max_apologies=config["MAX_APOLOGIES"],
        max_supplement_requests=config["MAX_SUPPLEMENT_REQUESTS"],
        apology_working_days_before_due=config["APOLOGY_WORKING_DAYS_BEFORE_DUE"],
    )


def connector_settings(config: Mapping[str, Any]) -> ConnectorSettings:
    """The service tasks' settings as this deployment set them."""
    hosts = config["CONNECTOR_ALLOWED_HOSTS"].replace(",", " ").lower().split()
    return ConnectorSettings(
        allowed_hosts=frozenset(hosts),
        timeout_seconds=config["CONNECTOR_TIMEOUT_SECONDS"],
        retries=config["CONNECTOR_RETRIES"],
        retry_backoff_seconds=config["CONNECTOR_RETRY_BACKOFF_SECONDS"],
        population_url=config["POPULATION_API_URL"],
        population_token=config["POPULATION_API_TOKEN"],
    )
