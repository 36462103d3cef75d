"""Deadline sweep indexes: the earliest open tasks not yet escalated, and not yet warned.

Every sweep (30 s) asks for them ordered by due time; without an index PostgreSQL read the whole
task table (960 ms at 1M open tasks). Partial indexes stay small: a task leaves them once it is
escalated or warned, or done.

Revision ID: 0007_sweep_indexes
Revises: 0006_merge
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_sweep_indexes"
down_revision = "0006_merge"
branch_labels = None
depends_on = None

PARTIAL = {
    "ix_task_to_escalate": "state = 'open' AND escalated_at IS NULL",
    "ix_task_to_warn": "state = 'open' AND warned_at IS NULL",
}


def upgrade():
    for name, where in PARTIAL.items():
        op.create_index(
            name,
            "task",
            ["due_at", "id"],
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )


def downgrade():
    for name in PARTIAL:
        op.drop_index(name, table_name="task")
