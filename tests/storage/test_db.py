"""SQLite turn-taking: a locked file reports itself as locked, and the turn is given back."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from storage.db import make_engine, unit_of_work
from storage.migrate import upgrade


def _wait_briefly(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    """Runs after the engine's own tuning: wait 0.1 s for a lock, not 15 s."""
    dbapi_connection.execute("PRAGMA busy_timeout=100")


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "changebot.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def engine(database: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{database}")
    event.listen(engine, "connect", _wait_briefly)
    # Connect before the lock is taken: connecting runs PRAGMAs that would wait too.
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    yield engine
    engine.dispose()


@pytest.fixture
def held_lock(database: Path) -> Iterator[None]:
    """Another connection holds the file's write lock, as another process would."""
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    yield
    other.rollback()
    other.close()


def test_a_locked_database_raises_database_is_locked(engine: Engine, held_lock: None) -> None:
    with pytest.raises(OperationalError, match="database is locked"), engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def test_a_unit_of_work_on_a_locked_database_raises_database_is_locked(
    engine: Engine, held_lock: None
) -> None:
    with pytest.raises(OperationalError, match="database is locked"), unit_of_work(engine) as s:
        s.execute(text("SELECT count(*) FROM stage"))


def test_a_transaction_that_could_not_begin_gives_its_turn_back(
    engine: Engine, database: Path
) -> None:
    other = sqlite3.connect(database, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    with pytest.raises(OperationalError), engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    other.rollback()
    other.close()

    # Another thread: the turn is re-entrant, so this one would not notice a leaked turn.
    with ThreadPoolExecutor(max_workers=1) as another_thread:
        answer = another_thread.submit(_select_one, engine)
        assert answer.result(timeout=5) == 1


def _select_one(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT 1")).scalar_one())


def test_a_transaction_begins_soon_after_another_process_lets_the_file_go(
    database: Path,
) -> None:
    """SQLite's busy handler would try again up to 100 ms after the lock is free."""
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    other = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")

    def let_go() -> float:
        # Just past the busy handler's try at 428 ms: its next would be at 528 ms.
        time.sleep(0.45)
        other.rollback()
        return time.monotonic()

    with ThreadPoolExecutor(max_workers=1) as another_process:
        released = another_process.submit(let_go)
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            began = time.monotonic()
    other.close()
    engine.dispose()
    assert began - released.result() < 0.03
