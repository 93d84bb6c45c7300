"""Retention and background work at a trust's size: no time index on chat lines.

Revision ID: 0012
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nothing reads chat lines by time (readers go by conversation; the purge walks ids), and
    # keeping this index up to date was most of the cost of deleting millions of lines.
    op.drop_index("ix_conversation_turns_at", table_name="conversation_turns")


def downgrade() -> None:
    op.create_index("ix_conversation_turns_at", "conversation_turns", ["at"])
