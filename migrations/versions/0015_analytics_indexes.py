"""Leaders' figures: a unit's dossiers received, and ended, in a period.

Every figure of the dashboard reads the dossiers of some units received or ended within a
period (plus those still open); without these PostgreSQL read all of a unit's dossiers through
ix_dossier_status_unit and filtered them by time.

Revision ID: 0015_analytics_indexes
Revises: 0013_procedure_details
"""

from alembic import op

revision = "0015_analytics_indexes"
down_revision = "0013_procedure_details"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_dossier_unit_received": ["competent_unit_id", "received_at"],
    "ix_dossier_unit_finished": ["competent_unit_id", "finished_at"],
}


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, "dossier", columns)


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name="dossier")
