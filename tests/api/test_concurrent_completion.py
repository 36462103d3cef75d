"""Two people completing the same task at the same moment: one wins, the other gets a 409."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

NEWBORN = {
    "procedure_code": "newborn_bundle",
    "channel": "in_person",
    "applicant": {"full_name": "Trần Thị Bình", "id_number": "001234567891"},
}


@pytest.mark.committed
def test_simultaneous_completions_of_one_task_record_exactly_one_step(app, client, login):
    headers = login("admin", "admin")
    dossier = client.post("/api/v1/dossiers", json=NEWBORN, headers=headers).json
    task_id = dossier["tasks"][0]["id"]
    racers = 4
    barrier = Barrier(racers)

    def complete_once(_: int) -> int:
        own_client = app.test_client()
        barrier.wait()
        response = own_client.post(
            f"/api/v1/tasks/{task_id}/complete",
            json={"data": {"dossier_complete": "yes"}},
            headers=headers,
        )
        return response.status_code

    with ThreadPoolExecutor(racers) as pool:
        codes = sorted(pool.map(complete_once, range(racers)))

    assert codes == [200] + [409] * (racers - 1)
    history = client.get(f"/api/v1/dossiers/{dossier['id']}", headers=headers).json["history"]
    completions = [e for e in history if e["kind"] == "task_completed"]
    assert len(completions) == 1
    open_steps = [
        t["element_id"]
        for t in client.get(f"/api/v1/dossiers/{dossier['id']}", headers=headers).json["tasks"]
    ]
    assert open_steps == ["register_birth"]
