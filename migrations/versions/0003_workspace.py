"""Attachments of dossiers: one row per uploaded document, its bytes on disk by sha256.

Revision ID: 0003_workspace
Revises: 0002_dossier_spec_key
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_workspace"
down_revision = "0002_dossier_spec_key"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["uploaded_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_attachment_dossier_id", "attachment", ["dossier_id"])


def downgrade():
    op.drop_index("ix_attachment_dossier_id", table_name="attachment")
    op.drop_table("attachment")
