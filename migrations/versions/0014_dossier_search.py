"""Finding any dossier: an accent-free search column (code, applicant's name, ID number, phone,
folded by engine.rules.folding) back-filled for the dossiers already there, a trigram index on it
for "contains" searches on PostgreSQL (pg_trgm; SQLite scans), and the units' dossiers by
reception time for the list's default order.

Revision ID: 0014_dossier_search
Revises: 0013_procedure_details
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from engine.rules.folding import search_text

revision = "0014_dossier_search"
down_revision = "0016_step_times"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
BATCH = 5000
DOSSIER = sa.table(
    "dossier",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("applicant", JSON),
    sa.column("search_text", sa.Text),
)
LIST_COLUMNS = [
    "due_at",
    "code",
    "status",
    "procedure_id",
    "channel",
    "reception_point_kind",
    "search_text",
]
ELSEWHERE = "receiving_unit_id <> competent_unit_id"
"""A unit's dossiers by reception time, and those it received for another unit, with (on
PostgreSQL) what the list filters, sorts and searches by: a unit's list is read from the index
alone."""


def upgrade():
    op.add_column(
        "dossier", sa.Column("search_text", sa.Text(), nullable=False, server_default="")
    )
    _back_fill(op.get_bind())
    op.create_index(
        "ix_dossier_competent_list",
        "dossier",
        ["competent_unit_id", "received_at", "id"],
        postgresql_include=LIST_COLUMNS,
    )
    op.create_index(
        "ix_dossier_received_elsewhere",
        "dossier",
        ["receiving_unit_id", "received_at", "id"],
        postgresql_include=[*LIST_COLUMNS, "competent_unit_id"],
        postgresql_where=sa.text(ELSEWHERE),
        sqlite_where=sa.text(ELSEWHERE),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            "ix_dossier_search_text",
            "dossier",
            ["search_text"],
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )
        op.create_index(
            "ix_dossier_code_pattern",
            "dossier",
            ["code"],
            postgresql_ops={"code": "text_pattern_ops"},
        )


def _back_fill(connection):
    """Fold the existing dossiers in batches by id, so a large table never sits in memory."""
    last = 0
    while True:
        rows = connection.execute(
            sa.select(DOSSIER.c.id, DOSSIER.c.code, DOSSIER.c.applicant)
            .where(DOSSIER.c.id > last)
            .order_by(DOSSIER.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            DOSSIER.update()
            .where(DOSSIER.c.id == sa.bindparam("dossier_id"))
            .values(search_text=sa.bindparam("folded")),
            [
                {"dossier_id": row.id, "folded": search_text(row.code, row.applicant or {})}
                for row in rows
            ],
        )
        last = rows[-1].id


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_dossier_code_pattern", table_name="dossier")
        op.drop_index("ix_dossier_search_text", table_name="dossier")
    for name in ("ix_dossier_received_elsewhere", "ix_dossier_competent_list"):
        op.drop_index(name, table_name="dossier")
    op.drop_column("dossier", "search_text")
