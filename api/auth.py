"""Bearer tokens: signed, expiring, checked before every non-public API route."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from functools import lru_cache
from threading import Lock
from time import monotonic
from time import time
from typing import Any

from flask import Flask
from flask import Request
from flask import current_app
from flask import g
from flask import request
from flask import session
from flask.sessions import SecureCookieSession
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer

from api.database import new_uow
from api.database import read_session
from engine.access.accounts import Account
from engine.access.accounts import load_account
from engine.access.actors import Actor
from engine.access.login_limits import LoginPolicy
from engine.access.login_limits import LookupPolicy
from engine.errors import Unauthenticated
from engine.people.audit import Client
from engine.people.logins import LoginResult
from engine.people.logins import SessionPolicy
from engine.people.logins import log_out
from engine.people.logins import resume_session

PUBLIC_PATHS = frozenset({"/api/v1/auth/login", "/api/v1/openapi.json", "/api/v1/tracking"})
SIGNER_SALT = "mot-cua-api-token"


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SIGNER_SALT)


def issue_token(login: LoginResult) -> str:
    """The user id, the password stamp and the moment of issue in milliseconds, signed with
    the time: a password change, an API logout after it, or the max age ends the token."""
    payload = {"uid": login.actor.user_id, "pw": login.stamp, "ms": int(time() * 1000)}
    return str(_signer().dumps(payload))


@lru_cache(maxsize=4096)
def _verified(secret_key: str, token: str) -> tuple[Any, datetime]:
    """The token's payload and signing time. A signature checks out the same every time, so a
    client's token is checked once per process; its age is checked on every request."""
    signer = URLSafeTimedSerializer(secret_key, salt=SIGNER_SALT)
    payload, signed_at = signer.loads(token, return_timestamp=True)
    return payload, signed_at


def _actor_from_header() -> Actor:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("send 'Authorization: Bearer <token>' (log in at /api/v1/auth/login)")
    try:
        payload, signed_at = _verified(current_app.config["SECRET_KEY"], token)
    except BadSignature as exc:
        raise Unauthenticated("the token is not valid") from exc
    age = datetime.now(UTC) - signed_at
    if age > timedelta(seconds=current_app.config["TOKEN_MAX_AGE_SECONDS"]):
        raise Unauthenticated("the token has expired; log in again")
    if not isinstance(payload, dict) or "pw" not in payload:
        raise Unauthenticated("the token is not valid; log in again")
    cache: ActorCache = current_app.extensions[ACTOR_CACHE_KEY]
    return cache.get(
        int(payload["uid"]),
        current_app.config["ACTOR_CACHE_SECONDS"],
        stamp=str(payload["pw"]),
        issued_ms=int(payload.get("ms", 0)),
    )


class ActorCache:
    """Who a user is, kept a few seconds per process: saves a query on every request.

    A role change or a disabled account takes effect within that time (0 turns the cache off);
    a token with another password stamp than the cached one is checked against the database.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[float, Account]] = {}
        self._lock = Lock()

    def get(
        self, user_id: int, ttl: float, stamp: str | None = None, issued_ms: int | None = None
    ) -> Actor:
        """The user's identity; with `stamp` and `issued_ms` (a token's), refused when the
        password changed or the user logged out of the API since the token was issued."""
        now = monotonic()
        with self._lock:
            entry = self._entries.get(user_id)
        if entry is None or entry[0] <= now or stamp not in (None, entry[1].stamp):
            with read_session() as session:
                account = load_account(session, user_id)
            if ttl > 0:
                with self._lock:
                    self._entries[user_id] = (now + ttl, account)
        else:
            account = entry[1]
        if stamp not in (None, account.stamp):
            raise Unauthenticated("the password has changed; log in again")
        revoked = account.tokens_revoked_at
        if (
            issued_ms is not None
            and revoked is not None
            and issued_ms <= revoked.timestamp() * 1000
        ):
            raise Unauthenticated("this token was ended by a logout; log in again")
        return account.actor

    def forget(self, user_id: int) -> None:
        with self._lock:
            self._entries.pop(user_id, None)


def _logged_out_since(account: Account, issued_ms: int) -> bool:
    """Whether an API logout came at or after the token's issue (tokens issued before they
    carried the moment count as issued at 0)."""
    revoked = account.tokens_revoked_at
    return revoked is not None and issued_ms <= revoked.timestamp() * 1000


ACTOR_CACHE_KEY = "mot_cua_actor_cache"


def forget_cached_identity(user_id: int) -> None:
    """After an account changed (disabled, new password): this process asks the database
    again at the user's next request; other processes within their cache's few seconds."""
    current_app.extensions[ACTOR_CACHE_KEY].forget(user_id)


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
        ended = session_ended()
        if ended is not None:
            raise ended
    g.actor = _actor_from_header()


SESSION_KEY = "sid"
"""The page session's random key; the cookie is signed, the server keeps the session's state."""


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, minus the signer built for a request that sends no
    cookie (an API client with a bearer token): it starts with an empty session as before."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)


def client() -> Client:
    return Client(request.remote_addr or "", request.user_agent.string)


def login_policy() -> LoginPolicy:
    config = current_app.config
    return LoginPolicy(
        max_failures=config["LOGIN_MAX_FAILURES"],
        max_failures_per_ip=config["LOGIN_MAX_FAILURES_PER_IP"],
        window=timedelta(seconds=config["LOGIN_WINDOW_SECONDS"]),
    )


def lookup_policy() -> LookupPolicy:
    """Public lookups share the login limits' window."""
    config = current_app.config
    return LookupPolicy(
        max_failures_per_ip=config["LOOKUP_MAX_FAILURES_PER_IP"],
        window=timedelta(seconds=config["LOGIN_WINDOW_SECONDS"]),
    )


def session_policy() -> SessionPolicy:
    return SessionPolicy(
        idle=timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]),
        lifetime=current_app.permanent_session_lifetime,
    )


def log_in_page(login: LoginResult) -> None:
    """Start a page session: a fresh signed cookie holding the session key (and nothing else)."""
    language = session.get(LANGUAGE_KEY)
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = login.session_key
    if language:
        session[LANGUAGE_KEY] = language


def log_out_page() -> None:
    """End the session on the server too, so a copy of the cookie opens nothing."""
    key = session.get(SESSION_KEY)
    language = session.get(LANGUAGE_KEY)
    session.clear()
    if language:
        session[LANGUAGE_KEY] = language
    if isinstance(key, str):
        with new_uow() as uow:
            log_out(uow, key, client())


def page_actor() -> Actor | None:
    """The page session's user, or None (never logged in, or the session ended: see
    `session_ended`). Looked up once per request."""
    if "page_actor" not in g:
        g.page_actor = _resume_page_session()
    found: Actor | None = g.page_actor
    return found


def _resume_page_session() -> Actor | None:
    key = session.get(SESSION_KEY)
    if not isinstance(key, str):
        return None
    cache: ActorCache = current_app.extensions[ACTOR_CACHE_KEY]
    try:
        with new_uow() as uow:
            user_id = resume_session(uow, key, session_policy())
        return cache.get(user_id, current_app.config["ACTOR_CACHE_SECONDS"])
    except Unauthenticated as error:
        session.pop(SESSION_KEY, None)
        g.session_ended = error
        return None


def session_ended() -> Unauthenticated | None:
    """Why this request's page session just ended, if it did."""
    ended: Unauthenticated | None = g.get("session_ended")
    return ended


LANGUAGE_KEY = "lang"


def current_actor() -> Actor:
    actor: Actor = g.actor
    return actor
