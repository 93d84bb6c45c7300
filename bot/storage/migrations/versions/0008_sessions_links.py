"""Server-side console sessions, staff links to Slack and Teams users, REPLACE-proof audit trail.

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None

# SQLite's REPLACE (and INSERT OR REPLACE) resolves a key conflict by deleting the old row, and
# that delete fires no DELETE trigger unless recursive triggers are on: refuse the insert itself.
_SQLITE_NO_REPLACE = """CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events
WHEN EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'audit events are append-only: add a new event instead'); END"""


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_users.id"],
            name="fk_staff_sessions_staff_user_id_staff_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_staff_sessions"),
    )
    op.create_index("ix_staff_sessions_staff_user_id", "staff_sessions", ["staff_user_id"])
    op.create_table(
        "staff_links",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("platform_user_id", sa.String(200), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("linked_by", sa.String(100), nullable=False),
        sa.Column("linked_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_users.id"],
            name="fk_staff_links_staff_user_id_staff_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("platform", "platform_user_id", name="pk_staff_links"),
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(_SQLITE_NO_REPLACE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_events_no_replace")
    op.drop_table("staff_links")
    op.drop_index("ix_staff_sessions_staff_user_id", table_name="staff_sessions")
    op.drop_table("staff_sessions")
