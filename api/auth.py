"""Bearer tokens: signed, expiring, checked before every non-public API route."""

from __future__ import annotations

from threading import Lock
from time import monotonic

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
    cache: ActorCache = current_app.extensions[ACTOR_CACHE_KEY]
    return cache.get(int(payload["uid"]), current_app.config["ACTOR_CACHE_SECONDS"])


class ActorCache:
    """Who a user is, kept a few seconds per process: saves a query on every request.

    A role change or a disabled account takes effect within that time (0 turns the cache off).
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[float, Actor]] = {}
        self._lock = Lock()

    def get(self, user_id: int, ttl: float) -> Actor:
        now = monotonic()
        with self._lock:
            entry = self._entries.get(user_id)
        if entry is not None and entry[0] > now:
            return entry[1]
        with read_session() as session:
            actor = load_actor(session, user_id)
        if ttl > 0:
            with self._lock:
                self._entries[user_id] = (now + ttl, actor)
        return actor


ACTOR_CACHE_KEY = "mot_cua_actor_cache"


def authenticate_request() -> None:
    """Runs before every request: API routes need a valid token unless listed as public."""
    path = request.path
    if not path.startswith("/api/v1/") or path in PUBLIC_PATHS or path.startswith("/api/v1/docs"):
        return
    g.actor = _actor_from_header()


def current_actor() -> Actor:
    actor: Actor = g.actor
    return actor
