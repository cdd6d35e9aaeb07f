"""0008 gives each concern raised before it the anonymity its project shows it with today."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from storage.migrate import alembic_config, upgrade

_NOW = "2026-12-01 09:00:00+00:00"


def _before_0008(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "0007")
    engine = create_engine(database_url, poolclass=NullPool)
    with engine.begin() as connection:
        for number, anonymous in ((1, "true"), (2, "false")):
            connection.execute(
                text(
                    "INSERT INTO project (id, team_id, channel_id, name, need, timezone, "
                    "calendar, signoff_mode, anonymous_concerns, post_feedback_in_channel, "
                    f"rule_length, created_at) VALUES ({number}, 'T1', 'C{number}', 'ward', '', "
                    f"'Europe/London', 'GB-ENG', 'single', {anonymous}, false, 6, '{_NOW}')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO concern (id, project_id, principle_position, principle_title, "
                    "text, status, raised_by, channel_id, created_at) VALUES "
                    f"({number}, {number}, 1, 'Openness', 'Not told', 'open', 'UREP', "
                    f"'C{number}', '{_NOW}')"
                )
            )
    engine.dispose()


def test_a_concern_keeps_being_shown_as_its_project_shows_it_and_keeps_its_raiser(
    database_url: str,
) -> None:
    _before_0008(database_url)

    upgrade(database_url)

    engine = create_engine(database_url, poolclass=NullPool)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, anonymous, raised_by, text FROM concern ORDER BY id")
        ).all()
    engine.dispose()
    assert [(row_id, bool(anonymous), by, said) for row_id, anonymous, by, said in rows] == [
        (1, True, "UREP", "Not told"),
        (2, False, "UREP", "Not told"),
    ]
