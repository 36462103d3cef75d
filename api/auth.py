"""Bearer tokens: signed, expiring, checked before every non-public API route."""

from __future__ import annotations

from flask import current_app
from flask import g
from flask import request
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeTimedSerializer

from api.database import read_session
from engine.accounts import load_actor
from engine.actors import Actor
from engine.errors import Unauthenticated

PUBLIC_PATHS = frozenset({"/api/v1/auth/login", "/api/v1/openapi.json"})
_SALT = "mot-cua-api-token"


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def issue_token(actor: Actor) -> str:
    return str(_signer().dumps({"uid": actor.user_id}))


def _actor_from_header() -> Actor:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("send 'Authorization: Bearer <token>' (log in at /api/v1/auth/login)")
    try:
        payload = _signer().loads(token, max_age=current_app.config["TOKEN_MAX_AGE_SECONDS"])
    except SignatureExpired as exc:
        raise Unauthenticated("the token has expired; log in again") from exc
    except BadSignature as exc:
        raise Unauthenticated("the token is not valid") from exc
    with read_session() as session:
        return load_actor(session, int(payload["uid"]))


def authenticate_request() -> None:
    """Runs before every request: API routes need a valid token unless listed as public."""
    path = request.path
    if not path.startswith("/api/v1/") or path in PUBLIC_PATHS or path.startswith("/api/v1/docs"):
        return
    g.actor = _actor_from_header()


def current_actor() -> Actor:
    actor: Actor = g.actor
    return actor
