"""`flask prepare`: migrate, seed the demo province and users, publish the shipped procedures."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask import current_app
from flask_migrate import upgrade

from api import scheduler
from api.database import new_uow
from engine.catalogue import publish_catalogue
from engine.demo import demo_accounts
from engine.demo import seed


def prepare_database() -> None:
    upgrade(revision="heads")
    with new_uow() as uow:
        admin = seed(uow)
    results = publish_catalogue(new_uow, admin, Path(current_app.config["PROCESSES_DIR"]))
    for result in results:
        state = "published" if result.created else "unchanged"
        click.echo(f"  {result.procedure.code} v{result.procedure.version}: {state}")


def register(app: Flask) -> None:
    @app.cli.command("prepare")
    def prepare() -> None:
        """Migrate the database, create demo data, publish processes/ (safe to run again)."""
        prepare_database()
        click.echo("Demo accounts (local use only): admin / admin has every role in every unit.")
        click.echo("WARNING: change or remove the demo accounts before any real use.")
        for account in demo_accounts():
            click.echo(
                f"  {account.username} / {account.password}  ({account.role} @ {account.unit})"
            )

    @app.cli.command("sweep")
    @click.option("--no-dispatch", is_flag=True, help="Leave notices and webhooks unsent.")
    def sweep_once(no_dispatch: bool) -> None:
        """Run the background sweep once (timers, deadlines, escalation, supplement expiry), then
        send due notices and webhooks: what the scheduler does in each API process."""
        work = scheduler.jobs(current_app)
        click.echo(f"sweep: {scheduler.describe(work['sweep']())}")
        if not no_dispatch:
            click.echo(f"dispatch: {scheduler.describe(work['dispatch']())}")
