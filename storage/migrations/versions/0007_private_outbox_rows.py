"""An outbox row can be shown to one person only (an ephemeral message).

A mention that changebot refuses is answered to its writer alone, in its
thread, rather than to everyone there. The column is empty for every row
written before, which are all public, so no row changes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("visible_to", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("visible_to")
