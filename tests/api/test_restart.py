"""Dossiers survive a restart: a new application on the same database carries on where the old
one stopped, re-reading each procedure's spec from its stored files."""

from __future__ import annotations

import pytest

from api.database import EXTENSION_KEY
from engine.bpmn import versions
from engine.bpmn.compiler import SpecCache
from engine.catalogue import procedures
from tests.api.journeys import NEWBORN_STEPS
from tests.api.journeys import Desk
from tests.conftest import make_app


@pytest.fixture
def restart(app, database_url, demo_tokens, login, monkeypatch):
    """`restart()` stops `app` and starts a new one on the same database, with the empty spec cache
    a new process has; it returns a Desk on the new app, and that cache."""
    started = []

    def _restart():
        app.extensions[EXTENSION_KEY].kw["bind"].dispose()
        fresh_cache = SpecCache()
        monkeypatch.setattr(procedures, "SPEC_CACHE", fresh_cache)
        monkeypatch.setattr(versions, "SPEC_CACHE", fresh_cache)
        started.append(make_app(database_url))
        return Desk(started[-1].test_client(), login, demo_tokens), fresh_cache

    yield _restart
    for new_app in started:
        new_app.extensions[EXTENSION_KEY].kw["bind"].dispose()


def test_a_dossier_started_before_a_restart_is_finished_after_it(desk, restart):
    dossier_id = desk.receive()["id"]
    desk.work_newborn(dossier_id, "check_dossier", "register_birth")
    username, data = NEWBORN_STEPS["register_residence"]
    desk.work(dossier_id, "register_residence", data, by=username)
    before = desk.dossier(dossier_id)

    after, cache = restart()
    assert after.client.application is not desk.client.application
    assert after.dossier(dossier_id) == before
    assert after.inbox("bhxh1", dossier_id) == ["issue_health_insurance_card"]
    after.work_newborn(dossier_id, "issue_health_insurance_card", "return_results")

    finished = after.dossier(dossier_id)
    assert (finished["status"], finished["tasks"]) == ("result_returned", [])
    steps = [e["element_id"] for e in finished["history"] if e["kind"] == "task_completed"]
    assert steps == [
        "check_dossier",
        "register_birth",
        "register_residence",
        "issue_health_insurance_card",
        "return_results",
    ]
    assert cache.misses == 1
