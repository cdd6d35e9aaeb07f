"""Every upgrade keeps every row: a database written to at each earlier revision, on both
databases, comes up to head with each row it held, and each value of each column that
is still there (SPEC §5: every run applies migrations and never loses data)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from alembic.script import ScriptDirectory
from cryptography.fernet import Fernet
from sqlalchemy import Column, MetaData, Table, create_engine, insert, select, types
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from storage.migrate import alembic_config, upgrade

# Values that a migration rewrites on purpose, each tested in its own file: tokens are
# encrypted (0003), a `lead` role becomes a side and a permission (0005).
REWRITTEN = {("installation", "bot_token"), ("installation", "user_token")}
_START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _revisions(database_url: str) -> list[str]:
    scripts = ScriptDirectory.from_config(alembic_config(database_url))
    return [script.revision for script in reversed(list(scripts.walk_revisions()))]


def _schema(connection: Connection) -> list[Table]:
    """Our tables as this revision has them, parents before the tables that refer to them."""
    metadata = MetaData()
    metadata.reflect(connection)
    return [table for table in metadata.sorted_tables if table.name != "alembic_version"]


def _value(column: Column[Any], serial: int, parents: dict[str, int]) -> Any:
    """A value for `column`, unique to `serial` where the type can be: a written row."""
    for foreign_key in column.foreign_keys:
        return parents[foreign_key.column.table.name]
    kind = column.type
    if isinstance(kind, types.Boolean):
        return serial % 2 == 0
    if isinstance(kind, types.Integer):
        return serial
    if isinstance(kind, types.Float | types.Numeric):
        return serial + 0.5
    if isinstance(kind, types.DateTime):
        return _START + timedelta(minutes=serial)
    if isinstance(kind, types.Date):
        return date(2026, 1, 1) + timedelta(days=serial)
    if isinstance(kind, types.LargeBinary):
        return f"bytes {serial}".encode()
    length = getattr(kind, "length", None) or 64
    return f"{column.name[:4]}{serial}"[:length]


Rows = dict[tuple[str, Any], dict[str, Any]]


def _write_a_row_in_every_table(connection: Connection, serials: Iterator[int]) -> Rows:
    """One row in each table, its foreign keys pointing at this round's parents; what was
    written, by table and primary key."""
    parents: dict[str, int] = {}
    written: Rows = {}
    for table in _schema(connection):
        serial = next(serials)
        values = {
            column.name: _value(column, serial, parents)
            for column in table.columns
            if not (column.primary_key and column.autoincrement is not False and _integer(column))
        }
        (key,) = table.primary_key.columns
        row_key = values.get(key.name)
        if row_key is None:
            row_key = connection.execute(insert(table).values(values).returning(key)).scalar_one()
        else:
            connection.execute(insert(table).values(values))
        parents[table.name] = row_key
        written[(table.name, row_key)] = values
    return written


def _integer(column: Column[Any]) -> bool:
    return isinstance(column.type, types.Integer)


def _held(engine: Engine) -> Rows:
    with engine.connect() as connection:
        held = {}
        for table in _schema(connection):
            (key,) = table.primary_key.columns
            for row in connection.execute(select(table)).mappings():
                held[(table.name, row[key.name])] = dict(row)
        return held


def _comparable(value: Any) -> Any:
    """SQLite gives timestamps back naive, in UTC."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def test_a_database_written_to_at_every_revision_keeps_every_row_and_value_at_head(
    database_url: str,
) -> None:
    engine = create_engine(database_url, poolclass=NullPool)
    serials = itertools.count(1)
    written: Rows = {}
    key = Fernet.generate_key().decode()
    try:
        for revision in _revisions(database_url):
            upgrade(database_url, revision, encryption_keys=[key])
            with engine.begin() as connection:
                written |= _write_a_row_in_every_table(connection, serials)
        held = _held(engine)
    finally:
        engine.dispose()

    lost = sorted(str(key) for key in written if key not in held)
    assert lost == []
    changed = [
        (table, key, column, value, held[(table, key)][column])
        for (table, key), values in written.items()
        for column, value in values.items()
        if column in held[(table, key)]
        and (table, column) not in REWRITTEN
        and _comparable(held[(table, key)][column]) != value
    ]
    assert changed == []
