"""Moving running dossiers between versions in bulk (a job and its items, restart-safe) and
retiring a version (it takes no new dossiers).

Revision ID: 0017_version_moves
Revises: 0013_procedure_details
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0017_version_moves"
down_revision = "0014_dossier_search"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade():
    with op.batch_alter_table("procedure_version") as batch:
        batch.add_column(sa.Column("retired_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("retired_by", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_procedure_version_retired_by", "app_user", ["retired_by"], ["id"]
        )
    op.create_table(
        "migration_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("procedure_id", sa.Integer(), nullable=False),
        sa.Column("to_version_id", sa.Integer(), nullable=False),
        sa.Column("mapping", JSON, nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["procedure_id"], ["procedure.id"]),
        sa.ForeignKeyConstraint(["to_version_id"], ["procedure_version.id"]),
        sa.ForeignKeyConstraint(["requested_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_migration_job_state", "migration_job", ["state"])
    op.create_table(
        "migration_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["migration_job.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_migration_item_job", "migration_item", ["job_id", "state", "id"])


def downgrade():
    op.drop_index("ix_migration_item_job", table_name="migration_item")
    op.drop_table("migration_item")
    op.drop_index("ix_migration_job_state", table_name="migration_job")
    op.drop_table("migration_job")
    with op.batch_alter_table("procedure_version") as batch:
        batch.drop_constraint("fk_procedure_version_retired_by", type_="foreignkey")
        batch.drop_column("retired_by")
        batch.drop_column("retired_at")
