"""Dossier remembers the key of the parsed spec it runs, so a step needs no version lookup.

Revision ID: 0002_dossier_spec_key
Revises: 9ee48cd19c8f
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_dossier_spec_key"
down_revision = "9ee48cd19c8f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("dossier") as batch:
        batch.add_column(sa.Column("spec_key", sa.String(length=200), nullable=True))
    op.execute(
        "UPDATE dossier SET spec_key = (SELECT v.content_hash || ':' || v.process_id "
        "FROM procedure_version v WHERE v.id = dossier.procedure_version_id)"
    )
    with op.batch_alter_table("dossier") as batch:
        batch.alter_column("spec_key", existing_type=sa.String(length=200), nullable=False)


def downgrade():
    with op.batch_alter_table("dossier") as batch:
        batch.drop_column("spec_key")
