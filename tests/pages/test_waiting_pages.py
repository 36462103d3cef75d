"""A dossier's page says what its workflow waits for besides open tasks: the message an event
gateway waits for and its deadline, until the message arrives."""

from __future__ import annotations


def test_the_dossier_page_lists_the_message_and_deadline_the_workflow_waits_for(desk, browser):
    assert desk.publish_construct("event_gateway_deadline").status_code == 201
    dossier_id = desk.receive("event_gateway_deadline")["id"]
    desk.work(dossier_id, "ask", {}, by="tiepnhan1")
    browser.login("tiepnhan1")

    waiting = browser.get(f"/dossiers/{dossier_id}").get_data(as_text=True)
    code = desk.dossier(dossier_id)["code"]
    message = {"name": "supplement_received", "correlation": {"dossier_code": code}}
    answer = desk.post("/api/v1/messages", {**message, "message_id": "p-1"}, by="lienthong")
    answered = browser.get(f"/dossiers/{dossier_id}").get_data(as_text=True)

    assert 'data-testid="waiting-for"' in waiting
    assert 'Thông điệp: <span class="code">supplement_received</span>' in waiting
    assert "Hẹn giờ:" in waiting
    assert answer.status_code == 200, answer.json
    assert 'data-testid="waiting-for"' not in answered
