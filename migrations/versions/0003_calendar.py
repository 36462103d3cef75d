"""A procedure version's statutory limit has a unit: working days (default) or working hours.

Revision ID: 0003_calendar
Revises: 0002_dossier_spec_key
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_calendar"
down_revision = "0002_dossier_spec_key"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("procedure_version") as batch:
        batch.add_column(
            sa.Column(
                "time_limit_unit", sa.String(length=5), nullable=False, server_default="days"
            )
        )


def downgrade():
    with op.batch_alter_table("procedure_version") as batch:
        batch.drop_column("time_limit_unit")
