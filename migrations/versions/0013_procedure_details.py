"""What a procedure states besides its diagram: its code in the national procedure database
(searchable), its legal basis, the papers an applicant brings (name, original or copy, count:
reception's checklist and the receipt's list) and which of its figures are unconfirmed.

Revision ID: 0013_procedure_details
Revises: 0012_studio
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013_procedure_details"
down_revision = "0012_studio"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade():
    op.add_column(
        "procedure_version", sa.Column("national_code", sa.String(length=20), nullable=True)
    )
    op.add_column("procedure_version", sa.Column("details", JSON, nullable=True))
    op.create_index(
        "ix_procedure_version_national_code", "procedure_version", ["national_code"]
    )


def downgrade():
    op.drop_index("ix_procedure_version_national_code", table_name="procedure_version")
    op.drop_column("procedure_version", "details")
    op.drop_column("procedure_version", "national_code")
