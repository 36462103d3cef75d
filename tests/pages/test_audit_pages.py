"""Reading a dossier through the pages leaves audit rows, and so do page logins and logouts."""

from __future__ import annotations


def audit_rows(desk, **filters):
    response = desk.get("/api/v1/audit", by="admin", per_page=100, **filters)
    assert response.status_code == 200, response.json
    return [(e["action"], e["target_type"], e["target_id"]) for e in response.json["items"]]


def test_the_dossier_and_task_pages_record_who_read_the_dossier(browser, desk):
    dossier = desk.receive()
    task_id = desk.task_id(dossier["id"], "check_dossier")
    browser.login("tiepnhan1")
    assert browser.get(f"/dossiers/{dossier['id']}").status_code == 200
    assert browser.get(f"/tasks/{task_id}").status_code == 200

    assert audit_rows(desk, dossier=dossier["id"], user="tiepnhan1") == [
        ("task_viewed", "task", task_id),
        ("dossier_viewed", "dossier", dossier["id"]),
    ]


def test_a_page_login_and_logout_are_logged(browser, desk):
    browser.login("hotich1")
    browser.get("/")
    assert browser.post("/logout").status_code == 302
    rows = audit_rows(desk, user="hotich1")
    assert [action for action, _, _ in rows[:2]] == ["logout", "login_succeeded"]
