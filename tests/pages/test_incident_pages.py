"""A designer's broken condition met from the task page: the user's input stays, the step is not
done, and the administrators find the incident."""

from __future__ import annotations

import json

from tests.api.test_incidents import CHECK
from tests.api.test_incidents import GOOD_CONDITION
from tests.api.test_incidents import TYPO_CONDITION
from tests.api.test_incidents import incidents
from tests.api.test_incidents import publish
from tests.api.test_incidents import shipped  # noqa: F401 - the fixture the test asks for
from tests.pages.test_workspace_pages import payload


def test_a_failing_step_keeps_the_form_and_tells_the_user(browser, desk, shipped):  # noqa: F811
    publish(desk, shipped, (GOOD_CONDITION, TYPO_CONDITION))
    dossier = desk.receive()
    task_id = desk.task_id(dossier["id"], "check_dossier")
    browser.login("tiepnhan1")
    browser.get(f"/tasks/{task_id}")

    response = browser.post(f"/tasks/{task_id}/complete", {"data": json.dumps(CHECK)})

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Quy trình gặp sự cố, đã báo quản trị viên" in page
    assert "NameError" not in page  # the clerk reads what happened, not the engine's words
    assert payload(page)["data"] == CHECK
    assert desk.inbox("tiepnhan1", dossier["id"]) == ["check_dossier"]
    [listed] = incidents(desk)["items"]
    assert (listed["dossier_code"], listed["data"]) == (dossier["code"], CHECK)
    assert f"Sự cố số {listed['id']}." in page


def test_an_administrator_lists_the_incident_and_runs_it_again_after_the_fix(
    browser,
    desk,
    shipped,  # noqa: F811
):
    publish(desk, shipped, (GOOD_CONDITION, TYPO_CONDITION))
    dossier = desk.receive()
    task_id = desk.task_id(dossier["id"], "check_dossier")
    assert desk.complete(task_id, CHECK, by="tiepnhan1").status_code == 409
    browser.login("admin", "admin")

    listing = browser.get("/incidents").get_data(as_text=True)
    assert dossier["code"] in listing and "NameError" in listing
    [incident] = incidents(desk)["items"]
    again = browser.post(f"/incidents/{incident['id']}/retry", follow_redirects=True)
    assert "Chạy lại vẫn lỗi" in again.get_data(as_text=True)

    publish(desk, shipped)  # the designer publishes the diagram fixed
    fixed = browser.post(f"/incidents/{incident['id']}/retry", follow_redirects=True)

    page = fixed.get_data(as_text=True)
    assert "Đã chạy lại thành công" in page
    assert "Không có sự cố nào." in page
    assert desk.inbox("hotich1", dossier["id"]) == ["register_birth"]


def test_only_administrators_open_the_incident_list(browser):
    browser.login("lanhdao1")
    assert browser.get("/incidents").status_code == 403
    assert "Sự cố" not in browser.get("/").get_data(as_text=True).split("</nav>")[0]
