"""First journey: receive a newborn dossier; its first task waits in the right inbox."""

from __future__ import annotations

NEWBORN = {
    "procedure_code": "newborn_bundle",
    "channel": "online",
    "applicant": {"full_name": "Nguyễn Văn An", "id_number": "001234567890"},
}


def test_receptionist_receives_a_dossier_and_its_first_task_waits_in_reception(client, login):
    headers = login("tiepnhan1")
    response = client.post("/api/v1/dossiers", json=NEWBORN, headers=headers)
    assert response.status_code == 201
    body = response.json
    assert body["code"].startswith("C01-")
    assert [t["element_id"] for t in body["tasks"]] == ["check_dossier"]
    inbox = client.get("/api/v1/tasks?scope=candidate", headers=headers).json
    assert [t["dossier_id"] for t in inbox["items"]] == [body["id"]]
    assert client.get("/api/v1/tasks", headers=login("hotich1")).json["total"] == 0
