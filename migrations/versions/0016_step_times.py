"""Step times for leaders' heat maps: one version's dossiers by receipt, and the moment each task
was first taken.

The heat map reads the task rows of one version's dossiers received in a period, each with its
first `task_claimed` or `task_reassigned` event (where waiting ends and working begins): a
range of (procedure_version_id, received_at) on dossier, and a partial index on event by task
holding only those two kinds, so the lookup never reads the rest of the audit trail.

Revision ID: 0016_step_times
Revises: 0013_procedure_details
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_step_times"
down_revision = "0015_analytics_indexes"
branch_labels = None
depends_on = None

TAKEN = "kind IN ('task_claimed', 'task_reassigned')"


def upgrade():
    op.create_index(
        "ix_dossier_version_received", "dossier", ["procedure_version_id", "received_at"]
    )
    op.create_index(
        "ix_event_task_taken",
        "event",
        ["task_id", "at"],
        postgresql_where=sa.text(TAKEN),
        sqlite_where=sa.text(TAKEN),
    )


def downgrade():
    op.drop_index("ix_event_task_taken", table_name="event")
    op.drop_index("ix_dossier_version_received", table_name="dossier")
