"""The item a multi-instance step's task works on ("each agency checks": which agency), kept on the
task row so the inbox and the task page show it without reading the workflow.

Revision ID: 0010_task_item
Revises: 0009_lookup_failure
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010_task_item"
down_revision = "0009_lookup_failure"
branch_labels = None
depends_on = None


def upgrade():
    item_type = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    op.add_column("task", sa.Column("item", item_type, nullable=True))


def downgrade():
    op.drop_column("task", "item")
