"""A concern keeps the anonymity it was raised under.

Whether a concern names its raiser was read from the project's setting at
the time it was shown: turning anonymous concerns off named, on the next
card update and in the export, everyone who had raised one anonymously.
Each concern now carries its own flag, set when it is raised. A concern
raised before this revision takes its project's setting of today, which is
how it is shown today, so nothing anyone sees changes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-14
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("concern") as batch:
        batch.add_column(
            sa.Column("anonymous", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(
        "UPDATE concern SET anonymous = "
        "(SELECT project.anonymous_concerns FROM project WHERE project.id = concern.project_id)"
    )
    with op.batch_alter_table("concern") as batch:
        batch.alter_column("anonymous", server_default=None, existing_type=sa.Boolean())


def downgrade() -> None:
    with op.batch_alter_table("concern") as batch:
        batch.drop_column("anonymous")
