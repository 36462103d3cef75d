"""Constructs as a civil servant meets them in the browser: each agency's share of a
multi-instance step is its own row in the inbox, naming its item; a dossier waiting on another
agency's answer says so on its page."""

from __future__ import annotations

import pytest

from tests.api.journeys import CONSTRUCTS
from tests.background import publish_fixture
from tests.background import receive
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


NAMES = {
    "mi_parallel_user": ("Xin ý kiến các cơ quan", "Ask the agencies"),
    "message_at_start": ("Chờ xác nhận nộp phí", "Wait for the fee payment"),
}


def publish_construct(new_uow, designer, process_id):
    publish_fixture(
        new_uow,
        designer,
        process_id,
        days=5,
        folder=CONSTRUCTS,
        form="opinion.form.json",
        names=NAMES[process_id],
    )


def test_each_agency_has_its_own_row_naming_it_and_a_waiting_dossier_says_what_for(
    as_user, new_uow, actor
):
    publish_construct(new_uow, actor("thietke"), "mi_parallel_user")
    publish_construct(new_uow, actor("thietke"), "message_at_start")
    agencies = ["Công an xã", "Bảo hiểm xã hội", "Văn hóa – Xã hội"]
    asked = receive(new_uow, actor("tiepnhan1"), "mi_parallel_user", data={"agencies": agencies})
    waiting = receive(new_uow, actor("tiepnhan1"), "message_at_start")

    officer = as_user("hotich1")
    officer.goto("/?tab=queue")
    rows = officer.locator("tr", has_text=asked.code)
    assert rows.count() == len(agencies)
    for agency in agencies:
        assert officer.locator("tr", has_text=f"agency: {agency}").count() == 1
    screenshot(officer, "construct-inbox-multi-instance")
    rows.first.get_by_role("link", name=asked.code).click()
    officer.wait_for_selector("#task-form[data-ready=true]")
    assert "Mục của bước này" in officer.inner_text(".page-head")
    screenshot(officer, "construct-task-multi-instance")

    reception = as_user("tiepnhan1")
    reception.goto(f"/dossiers/{waiting.id}")
    assert "payment_confirmed" in reception.inner_text("body")
    screenshot(reception, "construct-dossier-waiting-for")
