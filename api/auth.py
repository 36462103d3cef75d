"""Bearer tokens: signed, expiring, checked before every non-public API route."""

from __future__ import annotations

from threading import Lock
from time import monotonic

from flask import current_app
from flask import g
from flask import request
from flask import session
from itsdangerous import BadSignature
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeTimedSerializer

from api.database import read_session
from engine.accounts import load_actor
from engine.actors import Actor
from engine.errors import Unauthenticated

PUBLIC_PATHS = frozenset({"/api/v1/auth/login", "/api/v1/openapi.json", "/api/v1/tracking"})
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
    """Runs before every request: API routes need a valid token unless listed as public.

    A read (GET) without a token may use the page session instead, so pages can link to API
    documents (slips, downloads); writes always need the token, which is why /api/v1 is exempt
    from the pages' CSRF check.
    """
    path = request.path
    if not path.startswith("/api/v1/") or path in PUBLIC_PATHS or path.startswith("/api/v1/docs"):
        return
    if request.method in ("GET", "HEAD") and "Authorization" not in request.headers:
        actor = page_actor()
        if actor is not None:
            g.actor = actor
            return
    g.actor = _actor_from_header()


SESSION_USER_KEY = "uid"


def log_in_page(actor: Actor) -> None:
    """Start a page session: a fresh signed cookie holding the user id (and nothing else)."""
    language = session.get(LANGUAGE_KEY)
    session.clear()
    session.permanent = True
    session[SESSION_USER_KEY] = actor.user_id
    if language:
        session[LANGUAGE_KEY] = language


def log_out_page() -> None:
    language = session.get(LANGUAGE_KEY)
    session.clear()
    if language:
        session[LANGUAGE_KEY] = language


def page_actor() -> Actor | None:
    """The page session's user, or None (never logged in, or the account is gone)."""
    user_id = session.get(SESSION_USER_KEY)
    if not isinstance(user_id, int):
        return None
    cache: ActorCache = current_app.extensions[ACTOR_CACHE_KEY]
    try:
        return cache.get(user_id, current_app.config["ACTOR_CACHE_SECONDS"])
    except Unauthenticated:
        session.pop(SESSION_USER_KEY, None)
        return None


LANGUAGE_KEY = "lang"


def current_actor() -> Actor:
    actor: Actor = g.actor
    return actor
