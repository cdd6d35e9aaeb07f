"""Service users outside Slack: feedback links, page answers, "You said, we did", rate limits.

Feedback gains the link a page answer came through and its Friends and Family
Test answer; both are empty for feedback given in Slack, so no row changes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feedback_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name="fk_feedback_link_project_id_project"
        ),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"], name="fk_feedback_link_stage_id_stage"),
        sa.PrimaryKeyConstraint("id", name="pk_feedback_link"),
        sa.UniqueConstraint("token", name="uq_feedback_link_token"),
    )
    op.create_index("ix_feedback_link_project_id", "feedback_link", ["project_id"])
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(sa.Column("link_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("experience", sa.String(length=16), nullable=True))
        batch.create_foreign_key(
            "fk_feedback_link_id_feedback_link", "feedback_link", ["link_id"], ["id"]
        )
    op.create_table(
        "you_said_we_did",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("feedback_id", sa.Integer(), nullable=False),
        sa.Column("you_said", sa.Text(), nullable=False),
        sa.Column("we_did", sa.Text(), nullable=False),
        sa.Column("published_by", sa.String(length=32), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"], ["project.id"], name="fk_you_said_we_did_project_id_project"
        ),
        sa.ForeignKeyConstraint(
            ["feedback_id"], ["feedback.id"], name="fk_you_said_we_did_feedback_id_feedback"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_you_said_we_did"),
        sa.UniqueConstraint("feedback_id", name="uq_you_said_we_did_feedback_id"),
    )
    op.create_index("ix_you_said_we_did_project_id", "you_said_we_did", ["project_id"])
    op.create_table(
        "page_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_page_hit"),
    )
    op.create_index("ix_page_hit_bucket_at", "page_hit", ["bucket", "at"])
    op.create_index("ix_page_hit_expires_at", "page_hit", ["expires_at"])
    op.create_table(
        "site_key",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_site_key"),
    )


def downgrade() -> None:
    op.drop_table("site_key")
    op.drop_table("page_hit")
    op.drop_table("you_said_we_did")
    with op.batch_alter_table("feedback") as batch:
        batch.drop_constraint("fk_feedback_link_id_feedback_link", type_="foreignkey")
        batch.drop_column("experience")
        batch.drop_column("link_id")
    op.drop_table("feedback_link")
