"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session, SQLModel, select

from storage.db import unit_of_work
from storage.migrate import (
    UpgradeRefused,
    alembic_config,
    context_options,
    current_revision,
    upgrade,
)
from storage.models import Project


def _head(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


def _differences(engine: Engine, **overrides: Any) -> list[Any]:
    """What `alembic revision --autogenerate` would find, with env.py's options."""
    with engine.connect() as connection:
        options = context_options(connection.dialect.name) | overrides
        context = MigrationContext.configure(connection, opts=options)
        return list(compare_metadata(context, SQLModel.metadata))


def _table_names(database_url: str) -> set[str]:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_on_a_new_database_creates_every_table(database_url: str) -> None:
    assert current_revision(database_url) is None

    upgrade(database_url)

    assert current_revision(database_url) == _head(database_url)
    assert set(SQLModel.metadata.tables) <= _table_names(database_url)


def test_migrated_schema_matches_the_models(migrated_engine: Engine) -> None:
    assert _differences(migrated_engine) == []


def test_upgrade_on_a_migrated_database_keeps_its_data(
    database_url: str, migrated_engine: Engine
) -> None:
    with unit_of_work(migrated_engine) as session:
        session.add(Project(team_id="T1", channel_id="C1", name="Home care"))

    upgrade(database_url)

    with Session(migrated_engine) as session:
        projects = session.exec(select(Project)).all()
    assert [(p.team_id, p.channel_id, p.name) for p in projects] == [("T1", "C1", "Home care")]
    assert current_revision(database_url) == _head(database_url)


def test_a_revision_from_a_newer_changebot_stops_the_upgrade_and_changes_nothing(
    database_url: str, migrated_engine: Engine
) -> None:
    with migrated_engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099_newer'"))

    with pytest.raises(UpgradeRefused, match="at revision 0099_newer, which this changebot"):
        upgrade(database_url)

    assert current_revision(database_url) == "0099_newer"


def test_apscheduler_table_is_left_out_of_the_comparison(migrated_engine: Engine) -> None:
    # The job store creates its table when the scheduler starts it.
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=migrated_engine)}
    )
    scheduler.start(paused=True)
    scheduler.shutdown()
    assert "apscheduler_jobs" in inspect(migrated_engine).get_table_names()

    assert _differences(migrated_engine) == []
    # Without our include_name, autogenerate would offer to drop it.
    unfiltered = _differences(migrated_engine, include_name=None)
    assert ("remove_table", "apscheduler_jobs") in [
        (diff[0], diff[1].name) for diff in unfiltered if isinstance(diff, tuple)
    ]


def test_downgrade_to_base_removes_every_table(database_url: str) -> None:
    upgrade(database_url)
    command.downgrade(alembic_config(database_url), "base")

    assert current_revision(database_url) is None
    assert _table_names(database_url) <= {"alembic_version"}


@pytest.mark.postgres
def test_two_instances_starting_together_both_upgrade(postgres_url: str) -> None:
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def start_instance() -> None:
        start.wait()
        try:
            upgrade(postgres_url)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start_instance) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert current_revision(postgres_url) == _head(postgres_url)
    assert set(SQLModel.metadata.tables) <= _table_names(postgres_url)
