"""The health check's question to the database: bounded, shared while it waits, one log line."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.server import _database_answer
from storage.db import make_engine
from storage.migrate import upgrade


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    url = f"sqlite:///{tmp_path / 'changebot.db'}"
    upgrade(url)
    engine = make_engine(url)
    # Connect before any lock is taken: connecting runs PRAGMAs that would wait too.
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    yield engine
    engine.dispose()


def _questions_in_flight() -> int:
    return sum(thread.name == "health-question" for thread in threading.enumerate())


def test_a_database_that_answers_is_healthy(sqlite_engine: Engine) -> None:
    assert _database_answer(sqlite_engine, within=0.75) is not None


def test_a_refused_connection_is_one_warning_line_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Nothing listens on the discard port: the connection is refused at once.
    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:9/changebot")
    with caplog.at_level(logging.WARNING, logger="bot.server"):
        assert _database_answer(engine, within=0.75) is None
    (record,) = caplog.records
    assert record.exc_info is None
    assert record.getMessage().startswith("health check: the database failed: ")
    assert "\n" not in record.getMessage()
    engine.dispose()


def test_checks_while_the_database_is_locked_share_one_waiting_question(
    sqlite_engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = sqlite3.connect(tmp_path / "changebot.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.WARNING, logger="bot.server"):
            answers = [_database_answer(sqlite_engine, within=0.1) for _ in range(3)]
        assert answers == [None, None, None]
        assert _questions_in_flight() == 1
    finally:
        blocker.rollback()
        blocker.close()
    assert [record.getMessage() for record in caplog.records] == [
        "health check: the database did not answer within 0.1 s"
    ] * 3
    assert _database_answer(sqlite_engine, within=5) is not None
