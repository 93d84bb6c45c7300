"""Work whose cost does not grow with history: the acknowledgement round's logged_at index, the
purged files list for the file sweep, and a covering index for the dashboard's months.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The acknowledgement round reads only tickets logged since its last round.
    op.create_index("ix_tickets_logged_at", "tickets", ["logged_at"])
    # The purge lists a purged ticket's files here; the file sweep deletes them from disk.
    op.create_table(
        "purged_files",
        sa.Column("stored_as", sa.String(64), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("stored_as", name="pk_purged_files"),
    )
    # The dashboard counts a year of tickets by month, kind and verdict from this index alone.
    op.create_index(
        "ix_tickets_received_at_figures",
        "tickets",
        ["received_at", "kind", "status", "due_date", "closed_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_received_at_figures", table_name="tickets")
    op.drop_table("purged_files")
    op.drop_index("ix_tickets_logged_at", table_name="tickets")
