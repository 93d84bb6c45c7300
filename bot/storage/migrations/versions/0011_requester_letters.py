"""Talking to requesters: letters, status-page codes, encrypted files, redaction checks, links.

Revision ID: 0011
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0002"
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "requester_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("letter", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(300), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("sent_at", _utc(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name="fk_requester_letters_ticket_id_tickets",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_requester_letters"),
    )
    op.create_index(
        "uq_requester_letters_acknowledgement",
        "requester_letters",
        ["ticket_id"],
        unique=True,
        sqlite_where=sa.text("letter = 'acknowledgement'"),
        postgresql_where=sa.text("letter = 'acknowledgement'"),
    )
    op.create_index("ix_requester_letters_ticket_id", "requester_letters", ["ticket_id"])
    op.create_index("ix_requester_letters_state", "requester_letters", ["state"])
    op.create_table(
        "access_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", _utc(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name="fk_access_codes_ticket_id_tickets",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_access_codes"),
    )
    op.create_index("ix_access_codes_ticket_id", "access_codes", ["ticket_id"])
    op.create_table(
        "ticket_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("stored_as", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("added_by", sa.String(100), nullable=False),
        sa.Column("added_at", _utc(), nullable=False),
        _ticket_key("ticket_files"),
        sa.PrimaryKeyConstraint("id", name="pk_ticket_files"),
        sa.UniqueConstraint("stored_as", name="uq_ticket_files_stored_as"),
    )
    op.create_index("ix_ticket_files_ticket_id", "ticket_files", ["ticket_id"])
    op.create_table(
        "redaction_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("checked_by", sa.String(100), nullable=False),
        sa.Column("checked_at", _utc(), nullable=False),
        _ticket_key("redaction_checks"),
        sa.PrimaryKeyConstraint("id", name="pk_redaction_checks"),
    )
    op.create_index("ix_redaction_checks_ticket_id", "redaction_checks", ["ticket_id"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.Column("revoked_at", _utc(), nullable=True),
        sa.Column("revoked_by", sa.String(100), nullable=True),
        _ticket_key("deliveries"),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.UniqueConstraint("token_hash", name="uq_deliveries_token_hash"),
    )
    op.create_index("ix_deliveries_ticket_id", "deliveries", ["ticket_id"])
    # Tickets logged before acknowledgements existed were answered by hand: never email them now.
    op.execute(
        "INSERT INTO requester_letters (ticket_id, letter, state, address, created_at) "
        "SELECT id, 'acknowledgement', 'skipped', '', logged_at FROM tickets"
    )


def _ticket_key(table: str) -> sa.ForeignKeyConstraint:
    # Everything here belongs to one ticket and goes when the ticket is purged.
    return sa.ForeignKeyConstraint(
        ["ticket_id"], ["tickets.id"], name=f"fk_{table}_ticket_id_tickets", ondelete="CASCADE"
    )


def downgrade() -> None:
    op.drop_table("deliveries")
    op.drop_table("redaction_checks")
    op.drop_table("ticket_files")
    op.drop_table("access_codes")
    op.drop_table("requester_letters")
