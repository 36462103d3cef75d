"""Upgrading a database that already holds dossiers keeps every row (SQLite batch migrations copy
tables; with foreign keys on, the copy used to cascade-delete workflow state, tasks and events)."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import create_engine
from sqlalchemy import text

from tests.conftest import make_app

ROWS = {"workflow_state": 1, "task": 1, "event": 1, "dossier": 1}


def _seed_at_first_revision(url: str) -> None:
    engine = create_engine(url)
    statements = [
        "INSERT INTO unit (id, code, name, kind) VALUES (1, 'C01', 'Xã', 'commune')",
        "INSERT INTO procedure (id, code, created_at) VALUES (1, 'p', '2026-01-01')",
        "INSERT INTO procedure_version (id, procedure_id, number, content_hash, process_id,"
        " name_vi,"
        " name_en, field, time_limit_days, files, published_at)"
        " VALUES (1, 1, 1, 'h', 'p', 'v', 'e', 'civil_status', 1, '{}', '2026-01-01')",
        "INSERT INTO dossier (id, code, procedure_id, procedure_version_id, status, channel,"
        " applicant, data, receiving_unit_id, competent_unit_id, received_at, lock_version)"
        " VALUES (1, 'C01-1', 1, 1, 'received', 'online', '{}', '{}', 1, 1, '2026-01-01', 1)",
        "INSERT INTO workflow_state (dossier_id, serializer_version, state, steps)"
        " VALUES (1, '1.5', '{}', 0)",
        "INSERT INTO task (id, dossier_id, spiff_task_id, element_id, name, role, unit_id, state,"
        " created_at) VALUES (1, 1, 'x', 'e', 'n', 'reception', 1, 'open', '2026-01-01')",
        "INSERT INTO event (id, dossier_id, kind, at, detail) VALUES (1, 1, 'received',"
        " '2026-01-01', '{}')",
    ]
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def test_upgrading_a_database_with_dossiers_to_the_latest_schema_keeps_their_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = make_app(url)
    with app.app_context():
        upgrade(revision="9ee48cd19c8f")
        _seed_at_first_revision(url)
        upgrade(revision="heads")
    engine = create_engine(url)
    with engine.connect() as connection:
        counts = {
            table: connection.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608
            for table in ROWS
        }
        spec_key = connection.scalar(text("SELECT spec_key FROM dossier WHERE id = 1"))
    engine.dispose()
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()
    assert counts == ROWS
    assert spec_key == "h:p"


def test_the_search_column_is_filled_for_the_dossiers_already_there(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = make_app(url)
    applicant = '{"full_name": "Đặng Thị Ngọc", "id_number": "001299999991", "phone": null}'
    with app.app_context():
        upgrade(revision="9ee48cd19c8f")
        _seed_at_first_revision(url)
        upgrade(revision="0013_procedure_details")
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("UPDATE dossier SET applicant = :a"), {"a": applicant})
        upgrade(revision="0014_dossier_search")
    with engine.connect() as connection:
        folded = connection.scalar(text("SELECT search_text FROM dossier WHERE id = 1"))
    engine.dispose()
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()
    assert folded.split("\n") == ["c01-1", "dang thi ngoc", "001299999991", ""]
