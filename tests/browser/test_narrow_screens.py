"""Staff pages on a tablet (mobile reception at a hamlet's committee or a hospital) and on a
phone: nothing wider than the screen, so no page needs sideways scrolling to reach a button."""

from __future__ import annotations

import pytest

from tests.browser.conftest import open_task
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

SCREENS = {"tablet": {"width": 768, "height": 1024}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("screen", list(SCREENS))
def test_staff_pages_fit_a_tablet_and_a_phone(as_user, desk_at_birth, screen):
    civil_status = as_user("hotich1")
    civil_status.set_viewport_size(SCREENS[screen])
    pages = {"inbox": "/", "dossiers": "/dossiers"}
    overflowing = {}
    for name, url in pages.items():
        civil_status.goto(url)
        width = civil_status.evaluate("document.documentElement.scrollWidth")
        if width > SCREENS[screen]["width"]:
            overflowing[name] = width
        screenshot(civil_status, f"{screen}-{name}")
    open_task(civil_status, desk_at_birth)
    width = civil_status.evaluate("document.documentElement.scrollWidth")
    if width > SCREENS[screen]["width"]:
        overflowing["task"] = width
    screenshot(civil_status, f"{screen}-task")
    reception = as_user("tiepnhan1")
    reception.set_viewport_size(SCREENS[screen])
    reception.goto("/reception")
    width = reception.evaluate("document.documentElement.scrollWidth")
    if width > SCREENS[screen]["width"]:
        overflowing["reception"] = width
    screenshot(reception, f"{screen}-reception")

    assert overflowing == {}
