"""Join the branches added side by side: calendar, lifecycle, background work, workspace.

Revision ID: 0004_merge
Revises: 0003_calendar, 0003_lifecycle, 0003_background, 0003_workspace
"""

revision = "0004_merge"
down_revision = ("0003_calendar", "0003_lifecycle", "0003_background", "0003_workspace")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
