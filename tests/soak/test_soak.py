"""Many clients working the same few dossiers at once through gunicorn on PostgreSQL: each race
is lost with a 409, nothing fails with a 5xx, and afterwards the event log, the task rows and the
workflow state agree for every dossier, with every acknowledged completion in them."""

from __future__ import annotations

import time

import pytest

from tests.soak import ledger
from tests.soak.load import login_all
from tests.soak.report import failures
from tests.soak.report import figures
from tests.soak.report import load_lines

pytestmark = pytest.mark.soak


def test_clients_racing_on_the_same_tasks_lose_with_409_and_every_step_is_recorded_once(
    settings, soak_database, start_server, crowd
):
    server = start_server(scheduler=True)
    tokens = login_all(server.port)
    clients = crowd(server.port, tokens)
    time.sleep(settings.seconds)
    tally = clients.stop()

    figures(
        f"soak: {settings.clients} clients, {settings.dossiers} dossiers, {settings.seconds:.0f} s",
        load_lines(tally, settings.seconds),
    )
    assert (tally.server_errors, len(tally.unexpected)) == (0, 0), failures(tally, server)
    assert tally.no_answer == {}
    assert tally.count(action="complete", status=200) > 0
    assert tally.count(status=409) > 0, "the clients never raced: the soak tested nothing"
    assert ledger.audit(soak_database.engine, tally.acks) == {}
