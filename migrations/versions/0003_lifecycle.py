"""Dossier lifecycle: lookup key, reception point, pauses, apology, fee, delivery; supplement
requests and imports; fee rule and supplement days on procedure versions.

Revision ID: 0003_lifecycle
Revises: 0002_dossier_spec_key
"""

import secrets

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003_lifecycle"
down_revision = "0002_dossier_spec_key"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
KEY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def upgrade():
    """Plain ADD COLUMN and CREATE INDEX only: on SQLite a batch copy of `dossier` would drop the
    table with foreign keys on, and its cascades would empty task, event and workflow_state."""
    for column in (
        sa.Column("lookup_key", sa.String(length=8), nullable=True),
        sa.Column(
            "reception_point_kind", sa.String(length=20), nullable=False, server_default="counter"
        ),
        sa.Column("reception_point_name", sa.String(length=200), nullable=True),
        sa.Column("original_due_at", sa.DateTime(), nullable=True),
        sa.Column("paused_days", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.Column("fee_amount", sa.Integer(), nullable=True),
        sa.Column("fee_paid", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("fee_receipt_number", sa.String(length=60), nullable=True),
        sa.Column("delivery_method", sa.String(length=20), nullable=True),
        sa.Column("delivery_tracking_number", sa.String(length=60), nullable=True),
        sa.Column("delivery_address", sa.String(length=300), nullable=True),
    ):
        op.add_column("dossier", column)
    _backfill_lookup_keys()
    if op.get_bind().dialect.name != "sqlite":
        # SQLite keeps the column nullable (NOT NULL needs a table copy); the engine always sets it.
        op.alter_column("dossier", "lookup_key", existing_type=sa.String(length=8), nullable=False)
    op.create_index("ix_dossier_lookup_key", "dossier", ["lookup_key"], unique=True)
    op.add_column("procedure_version", sa.Column("fee_rule", JSON, nullable=True))
    op.add_column("procedure_version", sa.Column("supplement_days", sa.Integer(), nullable=True))

    op.create_table(
        "supplement_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("items", JSON, nullable=False),
        sa.Column("resume_status", sa.String(length=30), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("applicant_due_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("data", JSON, nullable=True),
        sa.Column("paused_days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["requested_by"], ["app_user.id"]),
        sa.ForeignKeyConstraint(["closed_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_supplement_request_dossier_id", "supplement_request", ["dossier_id"], unique=False
    )
    op.create_index(
        "ix_supplement_request_due",
        "supplement_request",
        ["state", "applicant_due_at"],
        unique=False,
    )

    op.create_table(
        "dossier_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=120), nullable=False),
        sa.Column("source_system", sa.String(length=60), nullable=False),
        sa.Column("external_code", sa.String(length=80), nullable=False),
        sa.Column("dossier_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["dossier_id"], ["dossier.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["imported_by"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
    )


def _backfill_lookup_keys():
    """Dossiers received before this revision get a key too, so every dossier can be tracked."""
    connection = op.get_bind()
    dossier = sa.table("dossier", sa.column("id", sa.Integer), sa.column("lookup_key", sa.String))
    used = set()
    for (dossier_id,) in connection.execute(sa.select(dossier.c.id)).all():
        key = _new_key(used)
        connection.execute(
            sa.update(dossier).where(dossier.c.id == dossier_id).values(lookup_key=key)
        )


def _new_key(used):
    while True:
        key = "".join(secrets.choice(KEY_ALPHABET) for _ in range(6))
        if key not in used:
            used.add(key)
            return key


def downgrade():
    """Plain DROP COLUMN (SQLite 3.35+): a batch copy of these tables would trip their foreign
    keys."""
    op.drop_table("dossier_import")
    op.drop_index("ix_supplement_request_due", table_name="supplement_request")
    op.drop_index("ix_supplement_request_dossier_id", table_name="supplement_request")
    op.drop_table("supplement_request")
    op.drop_column("procedure_version", "supplement_days")
    op.drop_column("procedure_version", "fee_rule")
    op.drop_index("ix_dossier_lookup_key", table_name="dossier")
    for column in (
        "delivery_address",
        "delivery_tracking_number",
        "delivery_method",
        "fee_receipt_number",
        "fee_paid",
        "fee_amount",
        "returned_at",
        "paused_days",
        "original_due_at",
        "reception_point_name",
        "reception_point_kind",
        "lookup_key",
    ):
        op.drop_column("dossier", column)
