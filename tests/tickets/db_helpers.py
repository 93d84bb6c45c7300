"""Reading the database behind the service's back, to check what it really stored."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from bot.storage.engine import session_factory
from bot.storage.tables import AuditEvent


def events(engine: Engine, reference: str) -> list[tuple[str, str | None, str | None, str | None]]:
    with session_factory(engine)() as session:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.ticket_reference == reference)
            .order_by(AuditEvent.id)
        )
        return [(e.action, e.field, e.old_value, e.new_value) for e in rows]


def count(engine: Engine, model: type[object]) -> int:
    with session_factory(engine)() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)
