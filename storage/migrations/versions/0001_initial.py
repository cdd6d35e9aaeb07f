"""The initial schema: every table of storage/models.py as first released.

Generated with autogenerate against an empty SQLite database, then grouped
by concept and read by hand. Constraint and index names are spelled out as
the naming convention in storage/models.py produces them, so later batch
migrations on SQLite can refer to them. Types are plain SQLAlchemy types:
`UTCDateTime` is `DateTime(timezone=True)` and SQLModel's `AutoString` is
`String` in the database.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A project and the people in it.
    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("need", sa.Text(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("calendar", sa.String(length=16), nullable=False),
        sa.Column("forum_channel_id", sa.String(length=32), nullable=True),
        sa.Column("signoff_mode", sa.String(length=16), nullable=False),
        sa.Column("anonymous_concerns", sa.Boolean(), nullable=False),
        sa.Column("post_feedback_in_channel", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_project"),
        sa.UniqueConstraint("team_id", "channel_id", name="uq_project_team_id_channel_id"),
    )
    op.create_table(
        "partner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name="fk_partner_project_id_project"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_partner"),
        sa.UniqueConstraint("project_id", "user_id", name="uq_partner_project_id_user_id"),
    )
    op.create_index("ix_partner_project_id", "partner", ["project_id"])

    # The action plan: stages, joint sign-offs and feedback.
    op.create_table(
        "stage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("completions", sa.Integer(), nullable=False),
        sa.Column("overdue_nudged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name="fk_stage_project_id_project"),
        sa.PrimaryKeyConstraint("id", name="pk_stage"),
        sa.UniqueConstraint("project_id", "position", name="uq_stage_project_id_position"),
    )
    op.create_index("ix_stage_project_id", "stage", ["project_id"])
    op.create_table(
        "stagesignoff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"], name="fk_stagesignoff_stage_id_stage"),
        sa.PrimaryKeyConstraint("id", name="pk_stagesignoff"),
        sa.UniqueConstraint(
            "stage_id", "round", "side", name="uq_stagesignoff_stage_id_round_side"
        ),
    )
    op.create_index("ix_stagesignoff_stage_id", "stagesignoff", ["stage_id"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("source_role", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name="fk_feedback_project_id_project"
        ),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"], name="fk_feedback_stage_id_stage"),
        sa.PrimaryKeyConstraint("id", name="pk_feedback"),
    )
    op.create_index("ix_feedback_project_id", "feedback", ["project_id"])

    # Principles, agreement to them, and concerns raised against them.
    op.create_table(
        "principle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("meaning", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name="fk_principle_project_id_project"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_principle"),
        sa.UniqueConstraint("project_id", "position", name="uq_principle_project_id_position"),
    )
    op.create_index("ix_principle_project_id", "principle", ["project_id"])
    op.create_table(
        "principleagreement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name="fk_principleagreement_project_id_project"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_principleagreement"),
        sa.UniqueConstraint(
            "project_id", "user_id", name="uq_principleagreement_project_id_user_id"
        ),
    )
    op.create_index("ix_principleagreement_project_id", "principleagreement", ["project_id"])
    op.create_table(
        "concern",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("principle_position", sa.Integer(), nullable=False),
        sa.Column("principle_title", sa.String(length=150), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("raised_by", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=32), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=32), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name="fk_concern_project_id_project"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_concern"),
    )
    op.create_index("ix_concern_project_id", "concern", ["project_id"])
    op.create_index("ix_concern_status", "concern", ["status"])
    op.create_index("ix_concern_thread_ts", "concern", ["thread_ts"])
    op.create_table(
        "concernentry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["concern_id"], ["concern.id"], name="fk_concernentry_concern_id_concern"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_concernentry"),
        sa.UniqueConstraint(
            "concern_id", "message_ts", name="uq_concernentry_concern_id_message_ts"
        ),
    )
    op.create_index("ix_concernentry_concern_id", "concernentry", ["concern_id"])

    # Evaluation: measures, scheduled check-ins and the answers to them.
    op.create_table(
        "measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("unit", sa.String(length=30), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("higher_is_better", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name="fk_measure_project_id_project"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_measure"),
        sa.UniqueConstraint("project_id", "name", name="uq_measure_project_id_name"),
    )
    op.create_index("ix_measure_project_id", "measure", ["project_id"])
    op.create_table(
        "schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("spec", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("rotation", sa.Integer(), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name="fk_schedule_project_id_project"
        ),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"], name="fk_schedule_stage_id_stage"),
        sa.PrimaryKeyConstraint("id", name="pk_schedule"),
    )
    op.create_index("ix_schedule_project_id", "schedule", ["project_id"])
    op.create_table(
        "checkinrun",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("followed_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"], ["schedule.id"], name="fk_checkinrun_schedule_id_schedule"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_checkinrun"),
        sa.UniqueConstraint("schedule_id", "run_at", name="uq_checkinrun_schedule_id_run_at"),
    )
    op.create_index("ix_checkinrun_schedule_id", "checkinrun", ["schedule_id"])
    op.create_table(
        "checkinresponse",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("working", sa.Text(), nullable=False),
        sa.Column("not_working", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["checkinrun.id"], name="fk_checkinresponse_run_id_checkinrun"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_checkinresponse"),
        sa.UniqueConstraint("run_id", "user_id", name="uq_checkinresponse_run_id_user_id"),
    )
    op.create_index("ix_checkinresponse_run_id", "checkinresponse", ["run_id"])
    op.create_table(
        "measurevalue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["checkinresponse.id"],
            name="fk_measurevalue_response_id_checkinresponse",
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measure.id"], name="fk_measurevalue_measure_id_measure"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_measurevalue"),
        sa.UniqueConstraint(
            "response_id", "measure_id", name="uq_measurevalue_response_id_measure_id"
        ),
    )
    op.create_index("ix_measurevalue_response_id", "measurevalue", ["response_id"])
    op.create_index("ix_measurevalue_measure_id", "measurevalue", ["measure_id"])

    # Delivery and bookkeeping: the outbox, Slack event ids, leases.
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("thread_key", sa.String(length=255), nullable=True),
        sa.Column("update_key", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("posted_channel_id", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("key", name="uq_outbox_key"),
    )
    op.create_index("ix_outbox_due", "outbox", ["status", "next_attempt_at"])
    op.create_table(
        "processed_event",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_processed_event"),
    )
    op.create_table(
        "lease",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_lease"),
    )

    # OAuth: installations per workspace and one-shot state values.
    op.create_table(
        "installation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=32), nullable=False),
        sa.Column("app_id", sa.String(length=32), nullable=True),
        sa.Column("enterprise_id", sa.String(length=32), nullable=True),
        sa.Column("team_id", sa.String(length=32), nullable=True),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("bot_token", sa.String(length=255), nullable=True),
        sa.Column("bot_id", sa.String(length=32), nullable=True),
        sa.Column("bot_user_id", sa.String(length=32), nullable=True),
        sa.Column("bot_scopes", sa.Text(), nullable=True),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("user_token", sa.String(length=255), nullable=True),
        sa.Column("installed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_installation"),
    )
    op.create_index(
        "ix_installation_lookup", "installation", ["client_id", "enterprise_id", "team_id"]
    )
    op.create_table(
        "oauth_state",
        sa.Column("state", sa.String(length=128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state", name="pk_oauth_state"),
    )


def downgrade() -> None:
    # Children before parents; a table's indexes go with it.
    for table in (
        "oauth_state",
        "installation",
        "lease",
        "processed_event",
        "outbox",
        "measurevalue",
        "checkinresponse",
        "checkinrun",
        "schedule",
        "measure",
        "concernentry",
        "concern",
        "principleagreement",
        "principle",
        "feedback",
        "stagesignoff",
        "stage",
        "partner",
        "project",
    ):
        op.drop_table(table)
