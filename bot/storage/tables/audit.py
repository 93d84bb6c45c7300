"""The audit trail: append-only, refused in the ORM here and by database triggers for raw SQL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, UOWTransaction, mapped_column

from bot.storage.tables.base import Base, UTCDateTime


class AuditEvent(Base):
    """One append-only line of the audit trail: who did what to which ticket, when.

    Audit events outlive the tickets they describe, so they carry no personal data about the
    requester: free text (notes, reasons, the request) stays on the ticket and is purged with it.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Not a foreign key: deleting a ticket must leave its trail untouched, and ticket ids are
    # never reused, so a dangling id cannot point at another ticket.
    ticket_id: Mapped[int | None] = mapped_column(Integer, index=True)
    ticket_reference: Mapped[str | None] = mapped_column(String(24), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    field: Mapped[str | None] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class AuditTrailIsAppendOnly(Exception):
    """Code tried to change or delete an audit event."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AuditTrailIsAppendOnly("audit events cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AuditTrailIsAppendOnly("audit events cannot be changed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_changes(state: ORMExecuteState) -> None:
    # Bulk UPDATE and DELETE statements bypass the flush; the database triggers catch raw SQL.
    if (state.is_update or state.is_delete) and any(
        mapper.class_ is AuditEvent for mapper in state.all_mappers
    ):
        raise AuditTrailIsAppendOnly("audit events cannot be changed or deleted")


# The audit viewer filters and sorts on these (issue 16).
Index("ix_audit_events_at", AuditEvent.at)
Index("ix_audit_events_actor", AuditEvent.actor)
Index("ix_audit_events_action", AuditEvent.action)
