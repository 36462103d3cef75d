"""`flask prepare`: migrate, seed the demo province and users, publish the shipped procedures;
`flask demo-year`: a year of demo dossiers on top."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import Flask
from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import Engine

from api import scheduler
from api.config import ROOT
from api.database import EXTENSION_KEY
from api.database import new_uow
from engine.catalogue import backup as backups
from engine.catalogue.demo import demo_accounts
from engine.catalogue.demo import seed
from engine.catalogue.folders import export_folder
from engine.catalogue.folders import publish_catalogue
from engine.demo import year as demo
from engine.errors import DomainError
from engine.rules.calendar import LOCAL_TZ
from engine.store.db import utcnow


def prepare_database() -> None:
    upgrade(revision="heads")
    with new_uow() as uow:
        admin = seed(uow)
    results = publish_catalogue(new_uow, admin, Path(current_app.config["PROCESSES_DIR"]))
    for seeded in results:
        result = seeded.result
        click.echo(f"  {result.procedure.code} v{result.procedure.version}: {seeded.state}")
        for warning in result.warnings:
            click.echo(f"    ! {warning.element_id}: {warning.message}")


def register(app: Flask) -> None:
    _register_catalogue(app)
    _register_demo_year(app)

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

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(path: Path) -> None:
        """Write one tar.gz with the database, the attachments and a manifest."""
        manifest = backups.backup(_engine(), _attachments(), path)
        click.echo(f"backup written to {path}: {backups.summary(manifest)}")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Overwrite without asking.")
    def restore_command(path: Path, yes: bool) -> None:
        """Replace the database and the attachments with a backup's (checked first)."""
        engine = _engine()
        try:
            manifest = backups.read_manifest(path)
            backups.check_restorable(manifest, engine, _known_revisions())
        except DomainError as exc:
            raise click.ClickException(exc.detail) from exc
        click.echo(f"backup {path}: {backups.summary(manifest)}")
        if not yes:
            click.confirm(
                "This overwrites the current database and attachments. Continue?", abort=True
            )
        try:
            backups.restore(engine, _attachments(), path, _known_revisions())
        except DomainError as exc:
            raise click.ClickException(exc.detail) from exc
        upgrade(revision="heads")  # an older backup is brought up to this code's schema
        click.echo(f"restored: {backups.counts(engine)}")


def _register_catalogue(app: Flask) -> None:
    @app.cli.group("catalogue")
    def catalogue() -> None:
        """The procedure catalogue on disk (processes/)."""

    @catalogue.command("export")
    @click.argument("code")
    @click.argument("target", type=click.Path(file_okay=False, path_type=Path))
    @click.option("--version", type=int, help="A version number (default: the current one).")
    def export_command(code: str, target: Path, version: int | None) -> None:
        """Write a procedure's version as a folder (metadata.json and its files), as processes/
        and the publish API take it, so a change made in the studio can be committed."""
        try:
            written = export_folder(new_uow, code, target, version)
        except DomainError as exc:
            raise click.ClickException(exc.detail) from exc
        click.echo(f"{code}: {len(written)} files written to {target}")


def _register_demo_year(app: Flask) -> None:
    @app.cli.command("demo-year")
    @click.option("--dossiers", default=3000, show_default=True, type=click.IntRange(1, 200_000))
    @click.option("--seed", default=1, show_default=True, help="The same seed, the same year.")
    @click.option(
        "--until",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        help="Play up to the start of this day (default: now); later steps stay open.",
    )
    @click.option("--if-empty", is_flag=True, help="Do nothing when any dossier exists.")
    @click.option("--force", is_flag=True, help="Add to a database that holds real dossiers.")
    def demo_year_command(
        dossiers: int, seed: int, until: datetime | None, if_empty: bool, force: bool
    ) -> None:
        """Fill the database with a realistic year of demo dossiers, worked through the engine's
        own commands, so the leaders' figures have something to show."""
        end = utcnow() if until is None else until.replace(tzinfo=LOCAL_TZ).astimezone(UTC)
        with new_uow() as uow:
            existing = demo.dossier_count(uow)
        if if_empty and existing:
            click.echo(f"demo-year: skipped, the database already holds {existing:,} dossiers")
            return
        click.echo(f"demo-year: {dossiers:,} dossiers, seed {seed}, year ending {end:%Y-%m-%d}")
        try:
            result = demo.play_year(
                new_uow, dossiers=dossiers, seed=seed, until=end, force=force, progress=click.echo
            )
        except DomainError as exc:
            raise click.ClickException(exc.detail) from exc
        click.echo(
            f"demo-year: {result.commands:,} commands in {result.seconds:.1f} s; "
            f"statuses {_counted(result.statuses)}; channels {_counted(result.channels)}"
        )


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {value:,}" for key, value in sorted(counts.items()))


def _engine() -> Engine:
    return current_app.extensions[EXTENSION_KEY].kw["bind"]


def _attachments() -> Path:
    return Path(current_app.config["ATTACHMENTS_DIR"])


def _known_revisions() -> set[str]:
    """Every schema revision this code's migrations know: a backup at another is from newer code."""
    script = ScriptDirectory(str(ROOT / "migrations"))
    return {revision.revision for revision in script.walk_revisions()}
