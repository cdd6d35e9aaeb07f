"""0005 keeps today's roles: a lead becomes of the management side, with the lead permission."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from storage.migrate import alembic_config, upgrade

_NOW = "2026-11-30 09:00:00+00:00"


def _before_0005(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "0003")
    engine = create_engine(database_url, poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO project (id, team_id, channel_id, name, need, timezone, calendar, "
                "signoff_mode, anonymous_concerns, post_feedback_in_channel, created_at) "
                "VALUES (1, 'T1', 'C1', 'ward', '', 'Europe/London', 'GB-ENG', 'single', "
                f"false, false, '{_NOW}')"
            )
        )
        for number, (user, role) in enumerate((("UJO", "lead"), ("UREP", "union")), start=1):
            connection.execute(
                text(
                    "INSERT INTO partner (id, project_id, user_id, role, joined_at) "
                    f"VALUES ({number}, 1, '{user}', '{role}', '{_NOW}')"
                )
            )
        connection.execute(
            text(
                "INSERT INTO stage (id, project_id, position, title, status, completed_at, "
                "completed_by, outcome, completions, created_by, created_at) VALUES "
                f"(1, 1, 1, 'Pilot', 'done', '{_NOW}', 'UJO', 'Piloted', 2, 'UJO', '{_NOW}')"
            )
        )
    engine.dispose()


def test_a_lead_becomes_management_with_the_permission_and_done_stages_keep_their_completion(
    database_url: str,
) -> None:
    _before_0005(database_url)

    upgrade(database_url)

    engine = create_engine(database_url, poolclass=NullPool)
    with engine.connect() as connection:
        partners = connection.execute(
            text("SELECT user_id, role, is_lead FROM partner ORDER BY id")
        ).all()
        history = connection.execute(
            text("SELECT stage_id, round, kind, user_id, outcome FROM stage_history")
        ).all()
        rule_length = connection.execute(text("SELECT rule_length FROM project")).scalar_one()
    engine.dispose()
    assert [(user, role, bool(lead)) for user, role, lead in partners] == [
        ("UJO", "management", True),
        ("UREP", "union", False),
    ]
    assert history == [(1, 2, "completed", "UJO", "Piloted")]
    assert rule_length == 6


def test_downgrading_0005_makes_leads_lead_rows_again(database_url: str) -> None:
    _before_0005(database_url)
    upgrade(database_url)

    command.downgrade(alembic_config(database_url), "0003")

    engine = create_engine(database_url, poolclass=NullPool)
    with engine.connect() as connection:
        roles = connection.execute(text("SELECT user_id, role FROM partner ORDER BY id")).all()
    engine.dispose()
    assert roles == [("UJO", "lead"), ("UREP", "union")]
