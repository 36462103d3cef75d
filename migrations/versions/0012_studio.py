"""Studio: each version says why (note), who (published_by, already there) and from where
(source: disk, api, studio) it was published; a procedure remembers what its folder under
processes/ held when `flask prepare` last read it (seed_hash), so a restart never publishes the
folder over a version made through the API or the studio; drafts, one per procedure code (a new
procedure has one before any version).

Columns are added, never batch-copied: on SQLite a table copy would cascade-delete dossiers' rows.

Revision ID: 0012_studio
Revises: 0011_messages
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012_studio"
down_revision = "0011_messages"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade():
    op.add_column("procedure_version", sa.Column("note", sa.Text(), nullable=True))
    op.add_column("procedure_version", sa.Column("source", sa.String(length=10), nullable=True))
    op.add_column("procedure", sa.Column("seed_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "procedure_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("files", JSON, nullable=False),
        sa.Column("metadata", JSON, nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("saved_by", sa.Integer(), nullable=True),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["saved_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code", name="uq_procedure_draft_code"),
    )


def downgrade():
    op.drop_table("procedure_draft")
    op.drop_column("procedure", "seed_hash")
    op.drop_column("procedure_version", "source")
    op.drop_column("procedure_version", "note")
