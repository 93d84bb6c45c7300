"""The console's list filters, log and audit viewer are served by indexes, not by reading every row.

Checked with EXPLAIN on PostgreSQL (with sequential scans priced out, so the plan shows whether
a usable index exists at all) and EXPLAIN QUERY PLAN on SQLite, over a few thousand tickets.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, Select, event, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.console.audit_query import AuditFilter, _filtered
from bot.console.figures import month_starts
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Status
from bot.storage.engine import ensure_schema, make_engine, session_factory
from bot.storage.tables import AuditEvent, Ticket
from bot.tickets.search import filtered, ordering
from bot.tickets.service import TicketFilter
from bot.tickets.tallies import DashboardTallies
from tests.console.filler import after_fill, fill

TODAY = date(2026, 11, 30)


@pytest.fixture
def filled(database_url: str) -> Iterator[tuple[Engine, sessionmaker[Session]]]:
    engine = make_engine(database_url)
    ensure_schema(engine)
    sessions = session_factory(engine)
    fill(sessions, 3000, TODAY)
    after_fill(sessions)
    yield engine, sessions
    engine.dispose()


def _list(filters: TicketFilter) -> Select[tuple[int]]:
    query = filtered(select(Ticket.id), filters, TODAY)
    return query.order_by(*ordering(filters, ())).limit(25)


QUERIES = {
    "list, not closed": _list(TicketFilter()),
    "list by status": _list(TicketFilter(status=Status.IN_PROGRESS)),
    "list by kind": _list(TicketFilter(kind=TicketKind.ERASURE)),
    "list by assignee": _list(TicketFilter(assignee="dpo@school.example")),
    "list overdue": _list(TicketFilter(overdue=True)),
    "request log page": select(Ticket.id).order_by(Ticket.received_at, Ticket.id).limit(100),
    "audit by who": _filtered(select(AuditEvent.id), AuditFilter(actor="dpo@school.example"))
    .order_by(AuditEvent.at.desc())
    .limit(50),
    "audit by what": _filtered(select(AuditEvent.id), AuditFilter(action="closed"))
    .order_by(AuditEvent.at.desc())
    .limit(50),
    "audit by ticket": _filtered(select(AuditEvent.id), AuditFilter(reference="SAR-2026-0042")),
}


def test_each_console_query_uses_an_index(filled: tuple[Engine, sessionmaker[Session]]) -> None:
    engine, _ = filled
    for name, query in QUERIES.items():
        _check_plan(engine, name, query)


def _check_plan(engine: Engine, name: str, query: Select[tuple[int]]) -> None:
    sql = str(query.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            plan = "\n".join(row[0] for row in connection.execute(text(f"EXPLAIN {sql}")))
            assert "Seq Scan" not in plan, f"{name}:\n{plan}"
            assert "Index" in plan, f"{name}:\n{plan}"
        else:
            rows = connection.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()
            plan = "\n".join(str(row[-1]) for row in rows)
            table_steps = [
                line for line in plan.splitlines() if "tickets" in line or "audit" in line
            ]
            assert table_steps, f"{name}:\n{plan}"
            assert all("INDEX" in line for line in table_steps), f"{name}:\n{plan}"


def test_the_dashboards_months_are_counted_from_an_index_on_the_received_time(
    filled: tuple[Engine, sessionmaker[Session]],
) -> None:
    engine, sessions = filled
    statements: list[tuple[str, Any]] = []

    def record(_c: object, _cur: object, statement: str, parameters: Any, *_: object) -> None:
        if "GROUP BY" in statement and "received_at" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        DashboardTallies(sessions).tally(month_starts(TODAY), TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    [(statement, parameters)] = statements
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL enable_seqscan = off"))
            explain = "EXPLAIN"
        else:
            explain = "EXPLAIN QUERY PLAN"
        rows = connection.exec_driver_sql(f"{explain} {statement}", parameters).all()
    plan = "\n".join(str(row[-1]) for row in rows)
    if engine.dialect.name == "sqlite":
        # The table itself is never read: its rows are wide (names, the request's words).
        assert "COVERING INDEX ix_tickets_received_at_figures" in plan, plan
    else:
        # PostgreSQL reads the year's rows through either index on the received time.
        assert "ix_tickets_received_at" in plan, plan
