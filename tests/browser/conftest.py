"""Browser journeys: Playwright drives Debian's Chromium against a live server on the test database.

The server runs in a thread of the test session (werkzeug, 127.0.0.1, a free port); each test gets
the seeded database back through the `app` fixture. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import WSGIRequestHandler
from werkzeug.serving import make_server

from api.database import EXTENSION_KEY
from tests.conftest import DEMO_PASSWORD
from tests.conftest import make_app
from tests.support.seeded import Baseline

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Chromium against a live server")


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@pytest.fixture(scope="session")
def live_server(
    database_url: str, baseline: Baseline, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    app = make_app(
        database_url,
        ATTACHMENTS_DIR=str(tmp_path_factory.mktemp("attachments")),
        ACTOR_CACHE_SECONDS=0,
    )
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    app.extensions[EXTENSION_KEY].kw["bind"].dispose()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("/usr/bin/chromium is missing: `make test` installs it (apt-get)")
        pytest.skip("/usr/bin/chromium is missing: run `make test` (it installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def as_user(app: Any, live_server: str, chromium: Any) -> Iterator[Callable[[str], Any]]:
    """`as_user("hotich1")` -> a page of a fresh browser context, logged in through /login
    (with the demo password unless one is given).

    Requesting `app` restores the seeded database before the test. Page errors fail the test.
    """
    contexts = []
    errors: list[str] = []

    def _open(username: str, password: str | None = None) -> Any:
        context = chromium.new_context(viewport=VIEWPORT, base_url=live_server, locale="vi-VN")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{username}: {error}"))
        page.on("console", lambda message: _csp(message, username, errors))
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", password or ("admin" if username == "admin" else DEMO_PASSWORD))
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server}/")
        return page

    yield _open
    for context in contexts:
        context.close()
    assert errors == [], errors


def _csp(message: Any, username: str, errors: list[str]) -> None:
    """A script or style the Content-Security-Policy blocks fails the test."""
    if "Content Security Policy" in message.text:
        errors.append(f"{username}: {message.text}")


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def choose(page: Any, label: str, option: str) -> None:
    """Pick `option` in the form-js select labelled `label` (a custom dropdown, not <select>)."""
    field = page.locator(".fjs-form-field-select", has=page.locator("label", has_text=label))
    field.locator(".fjs-input-group").click()
    field.locator(".fjs-dropdownlist-item", has_text=option).click()


def fill(page: Any, label: str, value: str) -> None:
    """Type into the form-js text field labelled `label`."""
    page.locator("#task-form").get_by_label(_label(label)).fill(value)


def field_input(page: Any, label: str) -> Any:
    return page.locator("#task-form").get_by_label(_label(label))


def _label(text: str) -> re.Pattern[str]:
    """form-js appends `*` to the labels of required fields."""
    return re.compile("^" + re.escape(text) + r"\*?$")


def open_task(page: Any, dossier_code: str, tab: str = "queue") -> None:
    """From the inbox tab, open the dossier's task; wait for the form and the diagram."""
    page.goto(f"/?tab={tab}")
    page.locator("tr", has_text=dossier_code).get_by_role("link", name=dossier_code).click()
    page.wait_for_selector("#diagram[data-ready=true]")
    page.wait_for_selector("#task-form[data-ready=true]")


def complete(page: Any) -> None:
    page.click("#complete-button")
    page.wait_for_url("**/")
    assert "Đã hoàn thành bước xử lý." in page.inner_text(".flash.success")


@pytest.fixture
def desk_at_birth(new_uow: Callable[[], Any], actor: Callable[[str], Any]) -> str:
    """A C01 newborn dossier checked at reception, waiting for civil status; its code."""
    from engine.dossiers.receive import Submission
    from engine.dossiers.receive import submit
    from engine.work import tasks

    receptionist = actor("tiepnhan1")
    applicant = {"full_name": "Phạm Minh Khang", "id_number": "001234567893"}
    with new_uow() as uow:
        dossier = submit(
            uow,
            receptionist,
            Submission(
                procedure_code="newborn_bundle", applicant=applicant, channel="in_person", data={}
            ),
        )
    with new_uow() as uow:
        tasks.complete(uow, receptionist, dossier.tasks[0].id, {"dossier_complete": "yes"})
    return dossier.code


@pytest.fixture
def busy_reception(new_uow: Callable[[], Any], actor: Callable[[str], Any]) -> dict[str, str]:
    """Three more dossiers waiting at C01's reception: overdue, due soon, and due later."""
    from datetime import UTC
    from datetime import datetime
    from datetime import timedelta

    from sqlalchemy import update

    from engine.dossiers.receive import Submission
    from engine.dossiers.receive import submit
    from engine.models import Task

    now = datetime.now(UTC)
    due = {
        "overdue": (now - timedelta(days=1), "Hoàng Văn Dũng", "001234567894"),
        "due_soon": (now + timedelta(hours=1), "Đỗ Thị Thu", "001234567895"),
        "later": (now + timedelta(days=20), "Bùi Quang Huy", "001234567896"),
    }
    codes = {}
    for key, (due_at, name, id_number) in due.items():
        with new_uow() as uow:
            dossier = submit(
                uow,
                actor("tiepnhan1"),
                Submission(
                    procedure_code="newborn_bundle",
                    applicant={"full_name": name, "id_number": id_number},
                    channel="online",
                    data={},
                ),
            )
            uow.session.execute(
                update(Task).where(Task.id == dossier.tasks[0].id).values(due_at=due_at)
            )
            uow.session.commit()
        codes[key] = dossier.code
    return codes
