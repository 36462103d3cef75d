"""Messages: the events each dossier's workflow waits on (message, signal, condition), so a
message from another agency's system finds its dossiers without loading any workflow, and the
messages delivered from outside, so a message id is delivered to a dossier once.

Revision ID: 0011_messages
Revises: 0010_task_item
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0011_messages"
down_revision = "0010_task_item"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade():
    op.create_table(
        "awaited_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("spiff_task_id", sa.String(length=36), nullable=False),
        sa.Column("element_id", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("correlation_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_awaited_event_match", "awaited_event", ["kind", "name", "correlation_key"]
    )
    op.create_index("ix_awaited_event_dossier", "awaited_event", ["dossier_id"])
    op.create_table(
        "message_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("correlation", JSON, nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=False),
        sa.Column("caught_by", JSON, nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sender_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id", "dossier_id", name="uq_message_delivery"),
    )
    op.create_index("ix_message_delivery_dossier", "message_delivery", ["dossier_id"])


def downgrade():
    op.drop_index("ix_message_delivery_dossier", table_name="message_delivery")
    op.drop_table("message_delivery")
    op.drop_index("ix_awaited_event_dossier", table_name="awaited_event")
    op.drop_index("ix_awaited_event_match", table_name="awaited_event")
    op.drop_table("awaited_event")
