"""Migration 0004 keeps each measure's way: higher_is_better becomes direction, and back."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from storage.migrate import alembic_config, upgrade

PROJECT = (
    "INSERT INTO project (id, team_id, channel_id, name, need, timezone, calendar, signoff_mode,"
    " anonymous_concerns, post_feedback_in_channel, created_at) VALUES (1, 'T1', 'C1', 'Ward',"
    " '', 'Europe/London', 'GB-ENG', 'single', false, false, '2026-12-01 09:00:00+00:00')"
)
MEASURE = (
    "INSERT INTO measure (project_id, name, higher_is_better, created_at)"
    " VALUES (1, :name, :higher, '2026-12-01 09:00:00+00:00')"
)


def _rows(database_url: str, query: str) -> list[tuple]:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query))]
    finally:
        engine.dispose()


def _run(database_url: str, *statements: tuple[str, dict]) -> None:
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            for statement, values in statements:
                connection.execute(text(statement), values)
    finally:
        engine.dispose()


def test_each_measure_keeps_its_direction_across_the_upgrade_and_back(database_url: str):
    upgrade(database_url, "0003")
    _run(
        database_url,
        (PROJECT, {}),
        (MEASURE, {"name": "Beds", "higher": True}),
        (MEASURE, {"name": "Waiting time", "higher": False}),
    )

    upgrade(database_url)

    assert _rows(
        database_url, "SELECT name, direction, recalculate_from FROM measure ORDER BY id"
    ) == [
        ("Beds", "higher", None),
        ("Waiting time", "lower", None),
    ]
    assert _rows(database_url, "SELECT rule_length FROM project") == [(6,)]
    _run(database_url, ("UPDATE measure SET direction = 'neither' WHERE name = 'Beds'", {}))

    command.downgrade(alembic_config(database_url), "0003")

    # Neither was not a choice before: it goes back to the old default, higher is better.
    assert _rows(database_url, "SELECT name, higher_is_better FROM measure ORDER BY id") == [
        ("Beds", True),
        ("Waiting time", False),
    ]
