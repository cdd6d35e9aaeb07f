"""Sides and the lead permission apart; every stage completion kept.

- `partner.is_lead`: the lead permission, separate from the side (`role`).
  Today's roles are kept: a `lead` row becomes side `management` with the lead
  permission (a lead was counted for the management side of a joint sign-off
  already); every other row keeps its side, without the permission.
  Downgrading turns each lead back into a `lead` row, which loses its side.
- `stage_history`: each completion and reopening of a stage. Stages done
  today get a row for their latest completion, the only one recorded so far.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_partner = sa.table("partner", sa.column("role", sa.String), sa.column("is_lead", sa.Boolean))


def upgrade() -> None:
    with op.batch_alter_table("partner") as batch:
        batch.add_column(
            sa.Column("is_lead", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(
        _partner.update()
        .where(_partner.c.role == "lead")
        .values(role="management", is_lead=sa.true())
    )
    with op.batch_alter_table("partner") as batch:
        batch.alter_column("is_lead", server_default=None)
    _create_stage_history()
    op.execute(
        "INSERT INTO stage_history (stage_id, round, kind, user_id, outcome, at) "
        "SELECT id, completions, 'completed', completed_by, outcome, completed_at FROM stage "
        "WHERE status = 'done' AND completed_at IS NOT NULL AND completed_by IS NOT NULL "
        "AND completions > 0"
    )


def _create_stage_history() -> None:
    op.create_table(
        "stage_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["stage_id"], ["stage.id"], name="fk_stage_history_stage_id_stage"),
        sa.PrimaryKeyConstraint("id", name="pk_stage_history"),
        sa.UniqueConstraint(
            "stage_id", "round", "kind", name="uq_stage_history_stage_id_round_kind"
        ),
    )
    op.create_index("ix_stage_history_stage_id", "stage_history", ["stage_id"])


def downgrade() -> None:
    op.drop_table("stage_history")
    op.execute(_partner.update().where(_partner.c.is_lead == sa.true()).values(role="lead"))
    with op.batch_alter_table("partner") as batch:
        batch.drop_column("is_lead")
