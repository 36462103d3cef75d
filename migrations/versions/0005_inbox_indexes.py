"""Inbox indexes: one ordered range per (role, unit) queue, per unit, per unit's escalated tasks.

The inbox reads the first page of a scope as index ranges in its order (due time, nulls last,
then id) instead of visiting every task of a queue; partial indexes keep out the completed
tasks (half the table and growing) and, for the queue, the tasks somebody holds. They replace
ix_task_queue (unit_id, role, state, due_at), which no query reads any more; ix_task_assignee
gains `id` so "my tasks" are read in order from the index alone.

Revision ID: 0005_inbox_indexes
Revises: 0004_merge
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_inbox_indexes"
down_revision = "0004_merge"
branch_labels = None
depends_on = None

PARTIAL = {
    "ix_task_queue_open": (
        ["unit_id", "role", "due_at", "id"],
        "state = 'open' AND assignee_id IS NULL",
    ),
    "ix_task_unit_open": (["unit_id", "due_at", "id"], "state = 'open'"),
    "ix_task_escalated_open": (
        ["unit_id", "due_at", "id"],
        "state = 'open' AND escalated_at IS NOT NULL",
    ),
}


def upgrade():
    op.drop_index("ix_task_queue", table_name="task")
    op.drop_index("ix_task_assignee", table_name="task")
    op.create_index("ix_task_assignee", "task", ["assignee_id", "state", "due_at", "id"])
    for name, (columns, where) in PARTIAL.items():
        op.create_index(
            name,
            "task",
            columns,
            postgresql_where=sa.text(where),
            sqlite_where=sa.text(where),
        )


def downgrade():
    for name in PARTIAL:
        op.drop_index(name, table_name="task")
    op.drop_index("ix_task_assignee", table_name="task")
    op.create_index("ix_task_assignee", "task", ["assignee_id", "state", "due_at"])
    op.create_index("ix_task_queue", "task", ["unit_id", "role", "state", "due_at"])
