"""The engine and sessions: one engine per process, one session per unit of work."""

from __future__ import annotations

import functools
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, cast

from pydantic_core import PydanticUndefined
from sqlalchemy import Executable, Insert, Table, Update, bindparam, event, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, Result
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel, create_engine


def make_engine(url: str) -> Engine:
    """An engine tuned for the database behind `url`.

    Its errors never show bound parameters: they hold what people wrote, and
    an error's text ends up in the log.

    SQLite gets WAL and a busy timeout so the request threads, the sender and
    the scheduler can share one file; foreign keys are switched on there too.
    Its transactions begin with BEGIN IMMEDIATE: pysqlite would otherwise run
    a transaction's first SELECT outside it, and two requests could both read
    "not done yet" and both complete a stage (SQLite has no row locks for
    `SELECT ... FOR UPDATE` to take).
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 15}, hide_parameters=True
        )
        event.listen(engine, "connect", _tune_sqlite)
        _take_turns(engine)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=10, hide_parameters=True
    )


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN instead of pysqlite's implicit one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# Writing rows on a command's way to the ack. The unit of work's flush of one object
# costs several times the INSERT or UPDATE it sends, and building a model instance
# costs about as much as the statement: so the hot writes go as statements built once
# per table, from their values.


def insert_new(
    session: Session, model: type[SQLModel], values: Mapping[str, Any], *, unique: list[str]
) -> bool:
    """Insert a row of `model` unless one with the same `unique` key exists; whether it was.

    `values` are the row's columns; the model's defaults fill the others.
    One statement (`INSERT … ON CONFLICT DO NOTHING`), on SQLite and PostgreSQL alike:
    no savepoint to set and release, and a row racing in from another instance makes
    this return False rather than abort the transaction.
    """
    statement = _insert_new(_table(model), tuple(unique), session.get_bind().dialect.name)
    return _execute(session, statement, _row(model, values)).first() is not None


def insert_values(session: Session, model: type[SQLModel], values: Mapping[str, Any]) -> int:
    """Insert a row of `model` (its defaults fill the columns not given); its new id.

    For a row nothing reads back in the same turn (a stage's history, say).
    """
    statement = _insert_row(_table(model))
    return int(_execute(session, statement, _row(model, values)).scalar_one())


def insert_row(session: Session, row: SQLModel) -> None:
    """Insert a new row from its instance, and hold it in the session as if just loaded.

    The row gets its id from the statement and is then persistent and clean, so
    a later change to it is flushed as usual. Not for a `Schedule`: its job
    follows what the session flushes (bot/scheduling/sync.py).
    """
    table = _table(type(row))
    (key,) = table.primary_key.columns
    values = {column.key: getattr(row, column.key) for column in table.columns}
    setattr(row, key.key, insert_values(session, type(row), values))
    make_transient_to_detached(row)
    session.add(row)


def update_row(session: Session, row: SQLModel, **values: Any) -> None:
    """Set columns of a row the session holds with one statement, and the instance to match.

    The instance is left clean, as if it had been loaded with these values. Not
    for a `Schedule` or a `Project`: their changes move jobs, which follow
    what the session flushes.
    """
    table = _table(type(row))
    (key,) = table.primary_key.columns
    params = {_NEW + name: value for name, value in values.items()}
    params[_KEY] = getattr(row, key.key)
    _execute(session, _update_row(table, tuple(values)), params)
    for name, value in values.items():
        set_committed_value(row, name, value)


# Parameter names of `update_row`'s statements: a column's own name is reserved for its SET.
_NEW = "new_"
_KEY = "row_key"


def query_rows(session: Session, statement: Executable, params: Mapping[str, Any]) -> Result[Any]:
    """Rows, not objects, of a statement a command asks on its way to the ack (a count, a
    lock, the last number), after writing what the session holds as its own queries do.

    Through the session a select of mapped columns goes by the ORM's compiling and
    loading, and costs about twice as much as on the session's connection.
    """
    session.flush()
    return _execute(session, statement, params)


def _execute(session: Session, statement: Executable, params: Mapping[str, Any]) -> Result[Any]:
    """A Core statement on the session's connection: the ORM's way round it adds nothing."""
    return session.connection().execute(statement, params)


def _row(model: type[SQLModel], values: Mapping[str, Any]) -> dict[str, Any]:
    """`values`, the model's defaults filling the columns not given; None left to the column."""
    row = {name: make() if make else value for name, value, make in _defaults(model)}
    row.update(values)
    return {name: value for name, value in row.items() if value is not None}


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined]


@functools.cache
def _insert_row(table: Table) -> Insert:
    return insert(table).returning(*table.primary_key.columns)


@functools.cache
def _update_row(table: Table, names: tuple[str, ...]) -> Update:
    (key,) = table.primary_key.columns
    return (
        update(table)
        .where(key == bindparam(_KEY))
        .values({name: bindparam(_NEW + name) for name in names})
    )


@functools.cache
def _defaults(model: type[SQLModel]) -> tuple[tuple[str, Any, Callable[[], Any] | None], ...]:
    """The fields of `model` with a default other than None: the value, or what makes it."""
    return tuple(
        (name, field.default, cast(Callable[[], Any] | None, field.default_factory))
        for name, field in model.model_fields.items()
        if field.default_factory is not None or field.default not in (None, PydanticUndefined)
    )


@functools.cache
def _insert_new(table: Table, unique: tuple[str, ...], dialect_name: str) -> Insert:
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return (
        dialect.insert(table)
        .on_conflict_do_nothing(index_elements=list(unique))
        .returning(*table.primary_key.columns)
    )


def _take_turns(engine: Engine) -> None:
    """SQLite: one transaction at a time in this process, queued on a lock.

    Every transaction begins IMMEDIATE (it takes the write lock at once). The
    threads of one process wait their turn on an in-process lock rather than
    in SQLite's busy handler, which polls with sleeps of up to 100 ms and made
    a busy moment's slowest answers take seconds. While another process holds
    the file (the background process's sender, committing post after post),
    the turn's holder asks again every millisecond or two (`_begin_immediate`)
    instead. Re-entrant, so a thread that opens a second transaction meets
    SQLite's own lock rather than deadlocking here.

    Each connection notes that it holds a turn and gives it back once: when
    BEGIN IMMEDIATE fails ("database is locked"), SQLAlchemy fires the
    rollback event while handling the error, before `begin` sees it, and a
    second release would replace the lock error with a RuntimeError.
    """
    turn = threading.RLock()
    holds_turn = "changebot_holds_turn"  # the note's key in the connection's info

    def begin(connection: Connection) -> None:
        turn.acquire()
        connection.info[holds_turn] = True
        try:
            _begin_immediate(connection)
        except BaseException:
            end(connection)
            raise

    def end(connection: Connection) -> None:
        if connection.info.pop(holds_turn, False):
            turn.release()

    event.listen(engine, "begin", begin)
    event.listen(engine, "commit", end)
    event.listen(engine, "rollback", end)


# The longest pause between two tries for another process's write lock.
_LOCK_RETRY_SECONDS = 0.002
_BUSY_TIMEOUT = "changebot_busy_timeout_ms"  # the connection's own, in its info


def _begin_immediate(connection: Connection) -> None:
    """BEGIN IMMEDIATE, asked again every millisecond or two while another process writes.

    SQLite's busy handler sleeps ever longer between tries (up to 100 ms), and a
    process that commits often takes the lock again in between: a request once
    waited 1.3 s for a lock that was free most of that time, every other request
    queued behind its turn. So the handler is off while this asks, for as long
    as the connection's busy timeout (`PRAGMA busy_timeout`) would have waited;
    the last try goes through SQLAlchemy, so that a lock held past it is the
    usual "database is locked" error.
    """
    raw = connection.connection.dbapi_connection
    assert raw is not None  # an open connection is beginning
    if _BUSY_TIMEOUT not in connection.info:
        connection.info[_BUSY_TIMEOUT] = raw.execute("PRAGMA busy_timeout").fetchone()[0]
    busy_timeout_ms = connection.info[_BUSY_TIMEOUT]
    deadline = time.monotonic() + busy_timeout_ms / 1000
    pause = _LOCK_RETRY_SECONDS / 8
    raw.execute("PRAGMA busy_timeout=0")
    try:
        while time.monotonic() < deadline:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if error.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                    break
            time.sleep(pause)
            pause = min(2 * pause, _LOCK_RETRY_SECONDS)
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
