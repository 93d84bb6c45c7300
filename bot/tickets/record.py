"""The request log read a page at a time, for a trust with a hundred thousand tickets.

The rows are the request service's export rows (no requester's details); this module only
decides how many are read at once, and records each reading in the audit trail. The whole log
streams from `RequestService.iter_export_rows`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.rules.clock import LONDON, london_now
from bot.storage.engine import transaction
from bot.storage.tables import AuditEvent, Ticket
from bot.tickets.export import ticket_export_row as _export_row
from bot.tickets.messages import TicketMessages, shipped_messages


class RequestRecord:
    """Pages of the request log, oldest request first."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        messages: TicketMessages | None = None,
        now: Callable[[], datetime] = london_now,
    ) -> None:
        self._sessions = sessions
        self._messages = messages or shipped_messages()
        self._now = now

    def count(self) -> int:
        with transaction(self._sessions) as session:
            return int(session.scalar(select(func.count(Ticket.id))) or 0)

    def page(self, page: int, per_page: int, *, actor: str) -> list[dict[str, str]]:
        """One page of the log; reading it is audited as a view of the log."""
        today = self._today()
        query = (
            select(Ticket)
            .options(selectinload(Ticket.pauses))
            .order_by(Ticket.received_at, Ticket.id)
            .limit(per_page)
            .offset((max(page, 1) - 1) * per_page)
        )
        with transaction(self._sessions) as session:
            rows = [_export_row(t, today, self._messages) for t in session.scalars(query)]
            self._audit(session, actor, "viewed_log", f"page {page}, {len(rows)} tickets")
        return rows

    def _today(self) -> date:
        return self._now().astimezone(LONDON).date()

    def _audit(self, session: Session, actor: str, action: str, what: str) -> None:
        session.add(
            AuditEvent(at=self._now(), actor=actor.strip()[:100], action=action, new_value=what)
        )
