"""Failed public dossier lookups (wrong code or key), counted per client address so the key
printed on the receipt cannot be guessed by trying.

Revision ID: 0009_lookup_failure
Revises: 0008_token_logout
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_lookup_failure"
down_revision = "0008_token_logout"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lookup_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lookup_failure_ip", "lookup_failure", ["ip", "at"])


def downgrade():
    op.drop_index("ix_lookup_failure_ip", table_name="lookup_failure")
    op.drop_table("lookup_failure")
