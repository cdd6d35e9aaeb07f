"""Fixtures shared by the whole suite: fresh databases, migrated to head.

Tests that must hold on both databases take `database_url` (or
`migrated_engine`) and run once on SQLite and once on PostgreSQL. The
PostgreSQL server is the local one at 127.0.0.1:5432; when it does not answer
those runs are skipped, unless CHANGEBOT_REQUIRE_POSTGRES=1 (as in CI) makes
that a failure.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import Engine

from storage.db import make_engine
from storage.migrate import upgrade

_POSTGRES_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A new database file of its own, removed with the test's temporary folder."""
    return f"sqlite:///{tmp_path / 'changebot.db'}"


@pytest.fixture(scope="session")
def _postgres_server() -> None:
    """Check once that the server answers; the skip (or failure) is then reused."""
    try:
        psycopg.connect(_POSTGRES_ADMIN, connect_timeout=1).close()
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL at 127.0.0.1:5432 is not answering: {' '.join(str(exc).split())}"
        if os.environ.get("CHANGEBOT_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (CHANGEBOT_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)


@pytest.fixture
def postgres_url(_postgres_server: None) -> Iterator[str]:
    """A new, empty database of its own, dropped after the test."""
    name = f"changebot_t_{secrets.token_hex(6)}"
    with psycopg.connect(_POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    # FORCE ends the sessions a failed test may have left open.
    with psycopg.connect(_POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest) -> str:
    """A new, empty database: the test runs once on SQLite and once on PostgreSQL."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def migrated_engine(database_url: str) -> Iterator[Engine]:
    """The application's engine on a new database upgraded to head, as at start-up."""
    upgrade(database_url)
    engine = make_engine(database_url)
    yield engine
    engine.dispose()
