"""Answer feedback from the web chat, and the receipts emailed to requesters.

Revision ID: 0005
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0010"
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    # No conversation id and no personal details: a vote says only which answer it was about.
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("intent", sa.String(64), nullable=True),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_answer_feedback"),
    )
    op.create_index("ix_answer_feedback_intent", "answer_feedback", ["intent"], unique=False)
    op.create_index("ix_answer_feedback_at", "answer_feedback", ["at"], unique=False)
    op.create_table(
        "receipt_emails",
        sa.Column("ticket_reference", sa.String(24), nullable=False),
        sa.Column("sent_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("ticket_reference", name="pk_receipt_emails"),
    )


def downgrade() -> None:
    op.drop_table("receipt_emails")
    op.drop_index("ix_answer_feedback_at", table_name="answer_feedback")
    op.drop_index("ix_answer_feedback_intent", table_name="answer_feedback")
    op.drop_table("answer_feedback")
