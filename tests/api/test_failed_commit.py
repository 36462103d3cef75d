"""A step the database refuses at its commit (its writes wait for the COMMIT's round trip, see
engine.store.write_behind): this is where a step could be reported done and not kept. The clerk
must get an error, and the dossier must stay where it was."""

from __future__ import annotations

from sqlalchemy import text

from tests.api.journeys import APPLICANT

NEWBORN = {"procedure_code": "newborn_bundle", "channel": "in_person", "applicant": APPLICANT}
REFUSE_STATE = {
    "sqlite": [
        "CREATE TRIGGER refuse_state BEFORE UPDATE ON workflow_state"
        " WHEN NEW.dossier_id = {dossier_id}"
        " BEGIN SELECT RAISE(ABORT, 'the disk is full'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_state() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'the disk is full'; END $$",
        "CREATE TRIGGER refuse_state BEFORE UPDATE ON workflow_state FOR EACH ROW"
        " WHEN (NEW.dossier_id = {dossier_id}) EXECUTE FUNCTION refuse_state()",
    ],
}
ALLOW_STATE = {
    "sqlite": ["DROP TRIGGER refuse_state"],
    "postgresql": ["DROP TRIGGER refuse_state ON workflow_state", "DROP FUNCTION refuse_state()"],
}


def _run_sql(new_uow, statements, **params) -> None:
    with new_uow() as uow:
        dialect = uow.session.get_bind().dialect.name
        for statement in statements[dialect]:
            uow.session.execute(text(statement.format(**params)))
        uow.session.commit()


def test_a_step_refused_at_its_commit_answers_an_error_and_the_dossier_stays(
    app, client, login, new_uow
):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # the answer a clerk gets, not the test's raise
    headers = login("admin", "admin")
    dossier = client.post("/api/v1/dossiers", json=NEWBORN, headers=headers).json
    check = dossier["tasks"][0]["id"]
    done = {"data": {"dossier_complete": "yes"}}
    before = client.get(f"/api/v1/dossiers/{dossier['id']}", headers=headers).json
    _run_sql(new_uow, REFUSE_STATE, dossier_id=dossier["id"])

    refused = client.post(f"/api/v1/tasks/{check}/complete", json=done, headers=headers)

    assert refused.status_code == 500
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert "next_tasks" not in refused.json
    after = client.get(f"/api/v1/dossiers/{dossier['id']}", headers=headers).json
    assert after["status"] == before["status"]
    assert [t["state"] for t in after["tasks"]] == ["open"]
    assert client.get(f"/api/v1/tasks/{check}", headers=headers).json["state"] == "open"
    assert after["history"] == before["history"]

    _run_sql(new_uow, ALLOW_STATE)
    retried = client.post(f"/api/v1/tasks/{check}/complete", json=done, headers=headers)
    assert retried.status_code == 200, retried.json
    assert "register_birth" in {t["element_id"] for t in retried.json["next_tasks"]}
    assert client.get(f"/api/v1/tasks/{check}", headers=headers).json["state"] == "completed"
