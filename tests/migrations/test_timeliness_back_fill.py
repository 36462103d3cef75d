"""Migration 0018 gives the dossiers finished before it the timeliness and office hours the write
path now keeps, computed by the same rule and calendar; open dossiers keep none."""

from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import create_engine
from sqlalchemy import text

from tests.conftest import make_app
from tests.migrations.test_upgrade_keeps_data import _seed_at_first_revision

# UTC times of test_stats.py's dossiers: D received Mon 20/07 09:00 (Vietnam), due Wed 29/07
# 17:00, result Wed 05/08 10:00: late after 97 office hours; A early after 9.
FINISHED = {
    1: ("2026-07-20 02:00:00.000000", "2026-07-29 10:00:00.000000", "2026-08-05 03:00:00.000000"),
    2: ("2026-08-03 02:00:00.000000", "2026-08-12 10:00:00.000000", "2026-08-04 03:00:00.000000"),
}


def test_the_back_fill_classes_finished_dossiers_as_the_write_path_does(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = make_app(url)
    with app.app_context():
        upgrade(revision="9ee48cd19c8f")
        _seed_at_first_revision(url)
        upgrade(revision="0015_analytics_indexes")
        _add_dossiers(url)
        upgrade(revision="heads")
    engine = create_engine(url)
    with engine.connect() as connection:
        kept = connection.execute(
            text("SELECT id, timeliness, working_hours FROM dossier ORDER BY id")
        ).all()
    engine.dispose()
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()
    assert [tuple(row) for row in kept] == [(1, "late", 97.0), (2, "early", 9.0), (3, None, None)]


def _add_dossiers(url: str) -> None:
    """Dossier 1 (seeded open) finishes late, a copy of it early; a third stays open."""
    engine = create_engine(url)
    copied = (
        "procedure_id, procedure_version_id, spec_key, status, channel, applicant, data,"
        " receiving_unit_id, competent_unit_id, received_at, lock_version"
    )
    copy = (
        f"INSERT INTO dossier (id, code, lookup_key, {copied})"  # noqa: S608 - fixed text
        f" SELECT {{id}}, 'C01-{{id}}', 'key{{id}}', {copied} FROM dossier WHERE id = 1"
    )
    with engine.begin() as connection:
        for dossier_id in (2, 3):
            connection.execute(text(copy.format(id=dossier_id)))
        for dossier_id, (received, due, finished) in FINISHED.items():
            connection.execute(
                text(
                    "UPDATE dossier SET status = 'result_returned', received_at = :received,"
                    " due_at = :due, finished_at = :finished WHERE id = :id"
                ),
                {"received": received, "due": due, "finished": finished, "id": dossier_id},
            )
    engine.dispose()
