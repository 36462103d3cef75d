from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator

import pytest

from api.database import EXTENSION_KEY
from engine.bpmn import versions
from engine.bpmn.compiler import SpecCache
from engine.catalogue import procedures
from tests.api.journeys import Desk
from tests.conftest import make_app


@pytest.fixture(scope="session")
def demo_tokens() -> dict[str, dict[str, str]]:
    """Bearer headers of the demo users for the whole run: tokens are signed with the fixed test
    key and name users by id, and the seeded users survive every test's clean-up."""
    return {}


@pytest.fixture
def desk(client, login, demo_tokens) -> Desk:
    """`desk.receive()`, `desk.work(dossier_id, "check_dossier", data, by="tiepnhan1")`, ..."""
    return Desk(client, login, demo_tokens)


RESTART_AT_TURN = 3
"""The turn at which `workers` restarts its second app: a new app object on the same database."""


@pytest.fixture
def workers(app, database_url, demo_tokens, login, monkeypatch) -> Iterator[Callable[[], Desk]]:
    """`workers()`: a Desk on one of two apps sharing the database, taking turns, each call with
    the empty spec cache of a process that never saw the diagram; at turn RESTART_AT_TURN the
    second app is disposed of and started anew, as after a restart between steps."""
    started = [make_app(database_url)]
    desks = [
        Desk(app.test_client(), login, demo_tokens),
        Desk(started[0].test_client(), login, demo_tokens),
    ]
    turns = iter(range(1_000))

    def next_worker() -> Desk:
        fresh = SpecCache()
        monkeypatch.setattr(procedures, "SPEC_CACHE", fresh)
        monkeypatch.setattr(versions, "SPEC_CACHE", fresh)
        turn = next(turns)
        if turn == RESTART_AT_TURN:
            started[-1].extensions[EXTENSION_KEY].kw["bind"].dispose()
            started.append(make_app(database_url))
            desks[1] = Desk(started[-1].test_client(), login, demo_tokens)
        return desks[turn % 2]

    yield next_worker
    started[-1].extensions[EXTENSION_KEY].kw["bind"].dispose()
