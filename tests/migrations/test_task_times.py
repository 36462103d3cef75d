"""Migration 0019 fills `task.taken_at` of existing tasks from their first claim or
reassignment, and leaves it empty for a task nobody took."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import create_engine
from sqlalchemy import text

from tests.conftest import make_app

SEED = [
    "INSERT INTO unit (id, code, name, kind) VALUES (1, 'C01', 'Xã', 'commune')",
    "INSERT INTO procedure (id, code, created_at) VALUES (1, 'p', '2026-01-01')",
    "INSERT INTO procedure_version (id, procedure_id, number, content_hash, process_id, name_vi,"
    " name_en, field, time_limit_days, files, published_at)"
    " VALUES (1, 1, 1, 'h', 'p', 'v', 'e', 'civil_status', 1, '{}', '2026-01-01')",
    "INSERT INTO dossier (id, code, procedure_id, procedure_version_id, status, channel,"
    " applicant, data, receiving_unit_id, competent_unit_id, received_at, lock_version,"
    " spec_key) VALUES (1, 'C01-1', 1, 1, 'received', 'online', '{}', '{}', 1, 1, '2026-01-01',"
    " 1, 'h:p')",
    "INSERT INTO task (id, dossier_id, spiff_task_id, element_id, name, role, unit_id, state,"
    " created_at) VALUES (1, 1, 'x1', 'e', 'n', 'reception', 1, 'open', '2026-01-05 01:00:00'),"
    " (2, 1, 'x2', 'e', 'n', 'reception', 1, 'open', '2026-01-05 01:00:00'),"
    " (3, 1, 'x3', 'e', 'n', 'reception', 1, 'open', '2026-01-05 01:00:00')",
    # task 1: reassigned, then claimed back, then reassigned again; task 2: only released
    "INSERT INTO event (dossier_id, task_id, kind, at, detail) VALUES"
    " (1, 1, 'task_claimed', '2026-01-05 04:00:00', '{}'),"
    " (1, 1, 'task_reassigned', '2026-01-05 03:00:00', '{}'),"
    " (1, 1, 'task_reassigned', '2026-01-06 02:00:00', '{}'),"
    " (1, 2, 'task_released', '2026-01-05 02:00:00', '{}'),"
    " (1, 3, 'task_claimed', '2026-01-07 09:15:00', '{}')",
]


def test_upgrading_fills_the_moment_each_task_was_first_taken(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = make_app(url)
    with app.app_context():
        upgrade(revision="0016_step_times")
        engine = create_engine(url)
        with engine.begin() as connection:
            for statement in SEED:
                connection.execute(text(statement))
        upgrade(revision="heads")
        with engine.connect() as connection:
            taken = dict(connection.execute(text("SELECT id, taken_at FROM task")).all())
        engine.dispose()
        app.extensions["sqlalchemy"].engine.dispose()
    assert {task: str(at) if at else None for task, at in taken.items()} == {
        1: "2026-01-05 03:00:00",
        2: None,
        3: "2026-01-07 09:15:00",
    }
