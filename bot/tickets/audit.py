"""Audit events: who did what to which ticket, with free text kept off the append-only trail."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.storage.tables import AuditEvent, Ticket

# Free text may name people, and audit events outlive the ticket: the trail says that such a
# field changed, and the words stay on the ticket until it is purged.
_FREE_TEXT = frozenset(
    {"extension_reason", "id_not_needed_reason", "outcome_reason", "request_text"}
)
_TEXT_KEPT_ON_TICKET = "[text kept on the ticket]"


def audit_event(
    ticket: Ticket | None,
    *,
    at: datetime,
    actor: str,
    action: str,
    field: str | None = None,
    old: object = None,
    new: object = None,
) -> AuditEvent:
    """Return the event to add for one change (or a view, an export, a purge)."""
    return AuditEvent(
        ticket_id=ticket.id if ticket else None,
        ticket_reference=ticket.reference if ticket else None,
        at=at,
        actor=_recorded_actor(actor),
        action=action,
        field=field,
        old_value=audit_value(field, old),
        new_value=audit_value(field, new),
    )


def _recorded_actor(actor: str) -> str:
    # The request service refuses a nameless change first, in the school's words; this guards
    # the trail's other writers (staff links, retention), whose callers always name someone.
    name = actor.strip()
    if not name:
        raise ValueError("an audit event needs who acted")
    return name[:100]


def audit_value(field: str | None, value: object) -> str | None:
    """Return a value as the trail stores it: text, never the words of a free-text field."""
    if value is None:
        return None
    if field in _FREE_TEXT:
        return _TEXT_KEPT_ON_TICKET
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
