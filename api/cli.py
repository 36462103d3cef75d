"""`flask prepare`: migrate, seed the demo province and users, publish the shipped procedures."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask import current_app
from flask_migrate import upgrade

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
