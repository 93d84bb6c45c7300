"""The office console at any size: indexes for its filters, and questions the bot could not answer.

Revision ID: 0010
Revises: 0011
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unanswered_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("nearest_intent", sa.String(100), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("resolved_by", sa.String(100), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("added_to", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_unanswered_questions"),
    )
    op.create_index("ix_unanswered_questions_at", "unanswered_questions", ["at"])
    op.create_index("ix_unanswered_questions_state", "unanswered_questions", ["state"])
    op.create_index("ix_tickets_kind", "tickets", ["kind"])
    op.create_index("ix_tickets_assignee", "tickets", ["assignee"])
    op.create_index("ix_tickets_received_at_id", "tickets", ["received_at", "id"])
    op.create_index("ix_tickets_status_due_date", "tickets", ["status", "due_date", "id"])
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_actor", "audit_events", ["actor"])
    op.create_index("ix_audit_events_action", "audit_events", ["action"])


def downgrade() -> None:
    for name, table in (
        ("ix_audit_events_action", "audit_events"),
        ("ix_audit_events_actor", "audit_events"),
        ("ix_audit_events_at", "audit_events"),
        ("ix_tickets_status_due_date", "tickets"),
        ("ix_tickets_received_at_id", "tickets"),
        ("ix_tickets_assignee", "tickets"),
        ("ix_tickets_kind", "tickets"),
        ("ix_unanswered_questions_state", "unanswered_questions"),
        ("ix_unanswered_questions_at", "unanswered_questions"),
    ):
        op.drop_index(name, table_name=table)
    op.drop_table("unanswered_questions")
