"""Leaders' figures at a million dossiers: a finished dossier keeps its timeliness (early, on
time, late) and its office hours from receipt to the end on its row, so the figures are SQL
aggregates instead of classing every dossier in Python on every request. The write path sets
both when a dossier finishes (engine.instance.finishing); this back-fills the finished ones with
the same functions. The index serves open dossiers by due time within a unit.

Revision ID: 0018_dossier_timeliness
Revises: 0015_analytics_indexes
"""

from datetime import UTC

import sqlalchemy as sa
from alembic import op

from engine.rules.calendar import default_calendar
from engine.rules.timeliness import finished_record

revision = "0018_dossier_timeliness"
down_revision = "0017_version_moves"
branch_labels = None
depends_on = None

BATCH = 5000
DOSSIER = sa.table(
    "dossier",
    sa.column("id", sa.Integer),
    sa.column("received_at", sa.DateTime),
    sa.column("due_at", sa.DateTime),
    sa.column("original_due_at", sa.DateTime),
    sa.column("finished_at", sa.DateTime),
    sa.column("timeliness", sa.String),
    sa.column("working_hours", sa.Float),
)


def upgrade():
    op.add_column("dossier", sa.Column("timeliness", sa.String(length=10), nullable=True))
    op.add_column("dossier", sa.Column("working_hours", sa.Float(), nullable=True))
    op.create_index(
        "ix_dossier_unit_status_due", "dossier", ["competent_unit_id", "status", "due_at"]
    )
    _back_fill(op.get_bind())


def _back_fill(connection):
    """Stored datetimes are naive UTC; the rules want aware ones."""
    calendar = default_calendar()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(
                DOSSIER.c.id,
                DOSSIER.c.received_at,
                DOSSIER.c.due_at,
                DOSSIER.c.original_due_at,
                DOSSIER.c.finished_at,
            )
            .where(DOSSIER.c.finished_at.is_not(None), DOSSIER.c.id > last)
            .order_by(DOSSIER.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        values = []
        for row in rows:
            due = row.original_due_at or row.due_at
            timeliness, hours = finished_record(
                received_at=row.received_at.replace(tzinfo=UTC),
                due_at=None if due is None else due.replace(tzinfo=UTC),
                finished_at=row.finished_at.replace(tzinfo=UTC),
                calendar=calendar,
            )
            values.append({"row_id": row.id, "t": timeliness, "h": hours})
        connection.execute(
            DOSSIER.update()
            .where(DOSSIER.c.id == sa.bindparam("row_id"))
            .values(timeliness=sa.bindparam("t"), working_hours=sa.bindparam("h")),
            values,
        )
        last = rows[-1].id


def downgrade():
    op.drop_index("ix_dossier_unit_status_due", table_name="dossier")
    with op.batch_alter_table("dossier") as batch:
        batch.drop_column("working_hours")
        batch.drop_column("timeliness")
