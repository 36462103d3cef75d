"""Task times for the heat map: the moment each task was first taken, on the task row.

`task.taken_at` is the first `task_claimed` or `task_reassigned` event's moment (where waiting
ends and working begins). A trigger on `event` keeps it in step: it fires exactly where the
write path records a claim or a reassignment (and when such an event's moment is corrected), so
no command, bulk path or replay can forget it. Existing rows are filled from the events by the
same statement the trigger runs. The heat map then reads one version's tasks without touching
the audit trail: the index below holds every column it reads, by dossier. The version's
dossiers in a period and in the caller's units come from an index alone too (0016's range, now
holding the dossier's id and units).

Working hours are not stored: they are computed when read from the three moments and the one
calendar (engine.analytics.clock), so a corrected moment or an amended calendar never leaves a
stale figure behind.

Revision ID: 0019_task_times
Revises: 0016_step_times
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_task_times"
down_revision = "0018_dossier_timeliness"
branch_labels = None
depends_on = None

TAKEN = "('task_claimed', 'task_reassigned')"
FIRST_TAKEN = f"(SELECT min(e.at) FROM event e WHERE e.task_id = task.id AND e.kind IN {TAKEN})"


def upgrade():
    op.add_column("task", sa.Column("taken_at", sa.DateTime(), nullable=True))
    op.execute(
        f"UPDATE task SET taken_at = {FIRST_TAKEN} WHERE EXISTS "
        f"(SELECT 1 FROM event e WHERE e.task_id = task.id AND e.kind IN {TAKEN})"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION task_taken_at() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE task SET taken_at = {FIRST_TAKEN} WHERE task.id = NEW.task_id;
                RETURN NULL;
            END $$
            """
        )
        op.execute(
            f"""
            CREATE TRIGGER event_task_taken AFTER INSERT OR UPDATE OF at, kind, task_id ON event
            FOR EACH ROW WHEN (NEW.task_id IS NOT NULL AND NEW.kind IN {TAKEN})
            EXECUTE FUNCTION task_taken_at()
            """
        )
    else:
        for name, when in (("insert", "INSERT"), ("update", "UPDATE OF at, kind, task_id")):
            op.execute(
                f"""
                CREATE TRIGGER event_task_taken_{name} AFTER {when} ON event
                FOR EACH ROW WHEN NEW.task_id IS NOT NULL AND NEW.kind IN {TAKEN}
                BEGIN
                    UPDATE task SET taken_at = {FIRST_TAKEN} WHERE task.id = NEW.task_id;
                END
                """
            )
    op.create_index(
        "ix_dossier_version_scope",
        "dossier",
        ["procedure_version_id", "received_at"],
        postgresql_include=["id", "competent_unit_id", "receiving_unit_id"],
    )
    op.drop_index("ix_dossier_version_received", table_name="dossier")
    op.create_index(
        "ix_task_dossier_times",
        "task",
        ["dossier_id"],
        postgresql_include=["element_id", "state", "created_at", "taken_at", "completed_at"],
    )


def downgrade():
    op.drop_index("ix_task_dossier_times", table_name="task")
    op.create_index(
        "ix_dossier_version_received", "dossier", ["procedure_version_id", "received_at"]
    )
    op.drop_index("ix_dossier_version_scope", table_name="dossier")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER event_task_taken ON event")
        op.execute("DROP FUNCTION task_taken_at()")
    else:
        op.execute("DROP TRIGGER event_task_taken_insert")
        op.execute("DROP TRIGGER event_task_taken_update")
    op.drop_column("task", "taken_at")
