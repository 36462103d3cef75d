"""Sessions and units of work for routes, built from the factory create_app stores."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextlib import suppress

from flask import Response
from flask import current_app
from flask import g
from flask import has_request_context
from sqlalchemy.orm import Session

from engine.store.uow import UnitOfWork

EXTENSION_KEY = "mot_cua_session_factory"


_IN_FLIGHT = "mot_cua_commits_in_flight"
"""Key in `flask.g`: what waits for the answers of the request's commits left in flight."""


def new_uow() -> UnitOfWork:
    """A unit of work whose commit, in a request, is answered while the response is built
    (see engine.store.uow.UnitOfWork). It starts after the request's earlier commits are answered,
    so it reads what they wrote."""
    if not has_request_context():
        return UnitOfWork(current_app.extensions[EXTENSION_KEY])
    finish_commits()
    later = g.setdefault(_IN_FLIGHT, []).append
    return UnitOfWork(current_app.extensions[EXTENSION_KEY], finish_later=later)


def finish_commits(response: Response | None = None) -> Response | None:
    """Wait for the request's commits in flight; one that failed raises, and the request
    answers with that error instead (after_request, before the response goes out)."""
    pending = g.get(_IN_FLIGHT)
    while pending:
        pending.pop(0)()
    return response


def drop_commits(_error: BaseException | None = None) -> None:
    """After a request that failed before `finish_commits`: end its units of work."""
    for finish in g.pop(_IN_FLIGHT, []):
        with suppress(Exception):
            finish()


@contextmanager
def read_session() -> Iterator[Session]:
    """A session for queries; it never commits."""
    with new_uow() as uow:
        yield uow.session
