"""Bringing a database's schema up to date with Alembic, from code.

Every start, and `changebot db upgrade`, calls `upgrade`; nothing calls
`create_all`. The Alembic configuration is built here rather than read from
`alembic.ini`, so an installed changebot needs no file beside it and the
database URL comes only from the caller (the settings object).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate.api import AutogenContext
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, create_engine, func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (defines the tables on SQLModel.metadata)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# The key of the PostgreSQL advisory lock held while upgrading: any constant
# that nothing else in the same database uses ("cbmigrat" read as a bigint).
_LOCK_KEY = int.from_bytes(b"cbmigrat", "big")


class UpgradeRefused(Exception):
    """The database cannot be brought up to date as it is; the message tells the operator why
    and what to do (a key to give, a newer changebot's revision), in one line."""


def alembic_config(database_url: str) -> Config:
    """The Alembic configuration for `database_url`, with our migrations folder."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    # Config values go through ConfigParser interpolation: a URL-encoded
    # password (`%40`) would otherwise be read as a placeholder.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(
    database_url: str, revision: str = "head", *, encryption_keys: Sequence[str] = ()
) -> list[str]:
    """Upgrade the database to `revision`; a no-op when it is already there.

    Returns the revisions it applied, oldest first (none when it was up to date),
    so `changebot db upgrade` can say what it did.

    On PostgreSQL the upgrade runs under an advisory lock, so two instances
    starting together take turns: the second finds the work done. Migrations
    that encrypt stored tokens find `encryption_keys` (CHANGEBOT_ENCRYPTION_KEY,
    newest first) in `config.attributes["encryption_keys"]`. A database this changebot
    cannot upgrade raises `UpgradeRefused`, having changed nothing.
    """
    config = alembic_config(database_url)
    engine = _migration_engine(database_url)
    try:
        with engine.connect() as connection, _migration_lock(connection):
            config.attributes["connection"] = connection
            config.attributes["encryption_keys"] = tuple(encryption_keys)
            start = MigrationContext.configure(connection).get_current_revision()
            # Reading began a transaction: end it, or the migrations would run inside it
            # and never be committed.
            connection.rollback()
            pending = _revisions_between(config, _known(config, start), revision)
            try:
                command.upgrade(config, revision)
            except CommandError as refused:  # a migration's own refusal, written for a person
                raise UpgradeRefused(str(refused)) from refused
    finally:
        engine.dispose()
    return pending


def _known(config: Config, start: str | None) -> str | None:
    """`start`, checked to be one of our revisions: after a rollback to an older changebot,
    the database is at a revision that came with a newer one."""
    if start is None or start in _all_revisions(config):
        return start
    raise UpgradeRefused(
        f"it is at revision {start}, which this changebot does not have: a newer changebot "
        "upgraded it. Run that version again, or restore the backup taken before the upgrade"
    )


def _all_revisions(config: Config) -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def _revisions_between(config: Config, start: str | None, target: str) -> list[str]:
    """The revisions after `start` up to `target`, oldest first."""
    scripts = ScriptDirectory.from_config(config)
    return [script.revision for script in reversed(list(scripts.iterate_revisions(target, start)))]


def holds_a_schema(database_url: str) -> bool:
    """Whether the database was ever migrated, as the one `changebot run` uses has been.

    A SQLite file that is not there is not created to find out.
    """
    url = make_url(database_url)
    file = url.database if url.get_backend_name() == "sqlite" else None
    if file and file != ":memory:" and not Path(file).exists():
        return False
    return current_revision(database_url) is not None


def current_revision(database_url: str) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    engine = _migration_engine(database_url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def context_options(dialect_name: str) -> dict[str, Any]:
    """The options env.py gives `context.configure`, shared with the tests.

    The migration tests compare a migrated database with the models using
    exactly these options, so a passing test means autogenerate would find
    nothing to do.
    """
    return {
        "target_metadata": SQLModel.metadata,
        "include_name": _include_name,
        "compare_type": True,
        # SQLite can barely ALTER TABLE: batch mode copies the table instead.
        "render_as_batch": dialect_name == "sqlite",
        "render_item": _render_item,
    }


def _migration_engine(database_url: str) -> Engine:
    # Not storage.db.make_engine: that switches SQLite's foreign keys on, and
    # a batch migration that copies a referenced table must run with them off.
    # NullPool: the one connection is really closed, locks and all. A data
    # migration's errors must not print people's text: parameters stay hidden.
    return create_engine(database_url, poolclass=NullPool, hide_parameters=True)


@contextmanager
def _migration_lock(connection: Connection) -> Iterator[None]:
    """Hold PostgreSQL's session advisory lock for the block; elsewhere do nothing.

    The lock is taken and released in transactions of their own, so Alembic
    still manages the migration's transaction (and `autocommit_block` works).
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    connection.execute(select(func.pg_advisory_lock(_LOCK_KEY)))
    connection.commit()
    try:
        yield
    finally:
        connection.rollback()
        connection.execute(select(func.pg_advisory_unlock(_LOCK_KEY)))
        connection.commit()


def _include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    """Compare only our own tables.

    APScheduler's job store (`apscheduler_jobs`) and Slack's OAuth stores keep
    tables in the same database that they create themselves; autogenerate
    must neither drop them nor track them. The price: a model deleted from
    storage/models.py is not noticed either, so write its `drop_table` by hand.
    """
    return type_ != "table" or name in SQLModel.metadata.tables


def _render_item(type_: str, obj: Any, _context: AutogenContext) -> str | bool:
    """Render our column types as the plain SQLAlchemy types underneath.

    `UTCDateTime` and SQLModel's `AutoString` only change how Python values
    are bound and read; the DDL is the wrapped type's. Migrations then import
    nothing from the application and stay valid if those classes change.
    """
    if type_ == "type" and isinstance(obj, TypeDecorator):
        impl = obj.impl_instance
        if type(impl).__module__ == "sqlalchemy.sql.sqltypes":
            return f"sa.{impl!r}"
    return False
