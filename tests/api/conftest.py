from __future__ import annotations

import pytest

from tests.api.journeys import Desk


@pytest.fixture(scope="session")
def demo_tokens() -> dict[str, dict[str, str]]:
    """Bearer headers of the demo users for the whole run: tokens are signed with the fixed test
    key and name users by id, and the seeded users survive every test's clean-up."""
    return {}


@pytest.fixture
def desk(client, login, demo_tokens) -> Desk:
    """`desk.receive()`, `desk.work(dossier_id, "check_dossier", data, by="tiepnhan1")`, ..."""
    return Desk(client, login, demo_tokens)
