"""Join the branches added side by side: inbox indexes, audit log, incidents.

Revision ID: 0006_merge
Revises: 0005_inbox_indexes, 0005_audit, 0005_incidents
"""

revision = "0006_merge"
down_revision = ("0005_inbox_indexes", "0005_audit", "0005_incidents")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
