"""API logout: tokens of a user issued before this moment no longer open anything.

Bearer tokens are signed, not stored; a logout records the moment on the account, which the API
already reads (and caches a few seconds) to know who the token's user is.

Revision ID: 0008_token_logout
Revises: 0007_sweep_indexes
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_token_logout"
down_revision = "0007_sweep_indexes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("app_user") as table:
        table.add_column(sa.Column("tokens_revoked_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("app_user") as table:
        table.drop_column("tokens_revoked_at")
