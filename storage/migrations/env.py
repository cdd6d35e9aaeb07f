"""Alembic's environment: which database, and what the schema should be.

At run time `storage.migrate.upgrade` passes an open connection in
`config.attributes["connection"]` (on PostgreSQL it holds the migration lock
on that connection). By hand, a developer names the database with
`-x url=...` (see storage/alembic.ini); nothing here reads the environment.
The options given to `context.configure` live in `storage.migrate`, so the
tests compare the schema exactly as autogenerate does.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from storage.migrate import context_options

config = context.config

# Only the developer path has an ini file; at run time the application's own
# logging configuration is left alone.
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url")
    url = url or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("No database: run alembic with -x url=<database URL>.")
    return url


def _run(connection: Connection) -> None:
    context.configure(connection=connection, **context_options(connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Write the SQL to standard output (`alembic upgrade head --sql`) for review."""
    url = _database_url()
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **context_options(make_url(url).get_backend_name()),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate through the caller's connection, or one opened from the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_database_url(), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
