"""Alembic's environment for our migrations, under either runner:

- `flask db …` and `flask prepare` (Flask-Migrate): the app's engine and Flask-Migrate's options;
- plain Alembic (`alembic.command` with `sqlalchemy.url` set in its config, as `tests.support`
  does): a database prepared without building the Flask app, the engine's metadata as target.
"""

import logging
import sys
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import MetaData
from sqlalchemy import engine_from_config
from sqlalchemy import pool

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
if config.config_file_name is not None:
    fileConfig(config.config_file_name)
logger = logging.getLogger("alembic.env")

PLAIN_OPTIONS = {"compare_type": True, "render_as_batch": True}
"""What Flask-Migrate configures by default, so both runners autogenerate alike."""


def flask_migrate() -> Any | None:
    """Flask-Migrate's extension when `flask db …` runs this file, else None. Flask is never
    imported here: without it loaded there is no app context to look in."""
    flask = sys.modules.get("flask")
    if flask is None or not flask.has_app_context():
        return None
    return flask.current_app.extensions.get("migrate")


MIGRATE = flask_migrate()


def get_engine() -> Engine:
    if MIGRATE is not None:
        return MIGRATE.db.engine
    return engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )


def get_metadata() -> MetaData:
    if MIGRATE is not None:
        target_db = MIGRATE.db
        if hasattr(target_db, "metadatas"):
            return target_db.metadatas[None]
        return target_db.metadata
    import engine.models  # noqa: F401 - registers every table on the engine's metadata
    from engine.store.db import Base

    return Base.metadata


if MIGRATE is not None:
    url = MIGRATE.db.engine.url
    config.set_main_option(
        "sqlalchemy.url", url.render_as_string(hide_password=False).replace("%", "%%")
    )


def run_migrations_offline() -> None:
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(url=url, target_metadata=get_metadata(), literal_binds=True)

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context: Any, revision: Any, directives: list[Any]) -> None:
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = MIGRATE.configure_args if MIGRATE is not None else dict(PLAIN_OPTIONS)
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        _sqlite_foreign_keys(connection, enabled=False)
        try:
            context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)
            with context.begin_transaction():
                context.run_migrations()
        finally:
            _sqlite_foreign_keys(connection, enabled=True)
    if MIGRATE is None:
        connectable.dispose()


def _sqlite_foreign_keys(connection: Connection, enabled: bool) -> None:
    """Batch migrations on SQLite copy and drop tables; with foreign keys on, dropping the old
    table would cascade-delete the rows that point to it (workflow state, tasks, events).
    The pragma only works outside a transaction, so it goes to the driver connection directly."""
    if connection.dialect.name == "sqlite":
        value = "ON" if enabled else "OFF"
        connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={value}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
