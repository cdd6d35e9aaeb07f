"""Measures that carry real data: a direction, a recalculation date, pasted points.

`higher_is_better` becomes `direction` (`higher`, `lower` or `neither`), each
measure keeping its way; downgrading maps `neither` back to higher is better,
the old default. Projects get the length of their charts' shift and trend
rules (6 unless set).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("project") as batch:
        batch.add_column(sa.Column("rule_length", sa.Integer(), nullable=False, server_default="6"))
    with op.batch_alter_table("measure") as batch:
        batch.add_column(
            sa.Column("direction", sa.String(length=16), nullable=False, server_default="higher")
        )
        batch.add_column(sa.Column("recalculate_from", sa.Date(), nullable=True))
    op.execute(
        sa.text(
            "UPDATE measure SET direction = 'lower' WHERE higher_is_better = :higher"
        ).bindparams(higher=False)
    )
    # Batch mode: SQLite drops a column (and a server default) by copying the table.
    with op.batch_alter_table("measure") as batch:
        batch.drop_column("higher_is_better")
        batch.alter_column("direction", server_default=None, existing_type=sa.String(16))
    with op.batch_alter_table("project") as batch:
        batch.alter_column("rule_length", server_default=None, existing_type=sa.Integer())
    op.create_table(
        "measurepoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measure.id"], name="fk_measurepoint_measure_id_measure"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_measurepoint"),
        sa.UniqueConstraint("measure_id", "day", name="uq_measurepoint_measure_id_day"),
    )
    op.create_index("ix_measurepoint_measure_id", "measurepoint", ["measure_id"])


def downgrade() -> None:
    op.drop_table("measurepoint")
    with op.batch_alter_table("measure") as batch:
        batch.add_column(
            sa.Column("higher_is_better", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    op.execute(
        sa.text(
            "UPDATE measure SET higher_is_better = :higher WHERE direction = 'lower'"
        ).bindparams(higher=False)
    )
    with op.batch_alter_table("measure") as batch:
        batch.alter_column("higher_is_better", server_default=None, existing_type=sa.Boolean())
        batch.drop_column("recalculate_from")
        batch.drop_column("direction")
    with op.batch_alter_table("project") as batch:
        batch.drop_column("rule_length")
