"""Tests for the record and retention: the request log export and the purge, at any size."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine, event, select

from bot.rules.lifecycle import Outcome
from bot.storage.engine import session_factory
from bot.storage.tables import (
    AuditEvent,
    ClockPauseRecord,
    ConversationRecord,
    ConversationTurn,
    ProcessedMessage,
    Ticket,
    TicketNote,
)
from bot.tickets import export, retention
from bot.tickets.service import EXPORT_COLUMNS, NewRequest, RequestService, TicketFilter
from tests.conftest import Clock
from tests.tickets.db_helpers import count, events

Make = Callable[..., NewRequest]


# -- the record: export -----------------------------------------------------------------------


def test_export_is_the_record_an_auditor_needs_without_personal_details(
    engine: Engine, service: RequestService, clock: Clock, new_request: Make
) -> None:
    late = service.log(new_request(), actor="office").reference
    prompt = service.log(new_request(source_key="2"), actor="office").reference
    service.id_not_needed(prompt, "=known parent", actor="dana")
    service.request_id(late, actor="dana")
    clock.set_day(date(2026, 3, 10))
    service.id_received(late, actor="dana")
    service.close(prompt, Outcome.REFUSED, actor="dana", reason="manifestly excessive: repeat")
    open_ticket = service.log(new_request(source_key="3"), actor="office").reference
    clock.set_day(date(2026, 4, 20))
    service.close(late, Outcome.COMPLIED, actor="dana")

    rows = {row["reference"]: row for row in service.export_rows(actor="auditor")}
    assert all(tuple(row) == EXPORT_COLUMNS for row in rows.values())
    assert rows[late]["on_time"] == "no"  # due 10 April, closed 20 April
    assert rows[late]["clock_pauses"] == "awaiting_id 2026-03-03 to 2026-03-10"
    assert (rows[late]["id_received_on"], rows[late]["id_verified_by"]) == ("2026-03-10", "dana")
    assert rows[prompt]["on_time"] == "yes"
    assert rows[prompt]["outcome_reason"] == "manifestly excessive: repeat"
    assert rows[prompt]["id_not_needed_reason"] == "'=known parent"  # never a formula
    assert rows[open_ticket]["on_time"] == "no"  # due 10 April, still open on 20 April
    everything = " ".join(" ".join(row.values()) for row in rows.values())
    for personal in ("Priya", "Arjun", "priya.shah@example.org", "everything you hold"):
        assert personal not in everything
    with session_factory(engine)() as session:
        exported = session.scalars(select(AuditEvent).where(AuditEvent.action == "exported")).one()
    assert (exported.actor, exported.new_value) == ("auditor", "3 tickets")


# -- retention: purge -------------------------------------------------------------------------


def test_purge_removes_what_is_past_retention_and_keeps_a_minimal_record(
    engine: Engine, service: RequestService, clock: Clock, new_request: Make
) -> None:
    old = service.log(new_request(), actor="office").reference
    service.add_note(old, "posted the copy", actor="dana")
    service.request_id(old, actor="dana")
    service.close(old, Outcome.COMPLIED, actor="dana")
    recent = service.log(new_request(source_key="recent"), actor="office").reference
    still_open = service.log(new_request(source_key="open"), actor="office").reference
    with session_factory(engine).begin() as session:
        session.add(_conversation("old-chat", clock.now))
        session.add(
            ProcessedMessage(source_id="slack:1", conversation_id="old-chat", created_at=clock.now)
        )
    clock.advance(days=40)
    service.close(recent, Outcome.COMPLIED, actor="dana")
    with session_factory(engine).begin() as session:
        session.add(_conversation("new-chat", clock.now))
    clock.advance(days=400)

    # Closed tickets are kept 420 days: `old` (closed 440 days ago) goes, `recent` stays.
    dry = service.purge(actor="dpl", transcript_days=30, closed_ticket_days=420, dry_run=True)
    assert (dry.tickets, dry.conversations, dry.turns, dry.processed_messages) == ((old,), 2, 4, 1)
    assert count(engine, Ticket) == 3
    assert count(engine, ConversationTurn) == 4

    report = service.purge(actor="dpl", transcript_days=30, closed_ticket_days=420)
    assert report == dry.__class__(False, (old,), 2, 4, 1)
    remaining = {t.reference for t in service.list_tickets(TicketFilter(include_closed=True))}
    assert remaining == {recent, still_open}
    for model in (ConversationRecord, ConversationTurn, ProcessedMessage):
        assert count(engine, model) == 0
    assert count(engine, TicketNote) == 0
    assert count(engine, ClockPauseRecord) == 0
    assert events(engine, old)[-1] == ("purged", None, None, None)
    # Ids are never reused, so a new ticket can never take the purged one's reference.
    newest = service.log(new_request(received_at=clock.now, source_key="new"), actor="office")
    assert int(newest.reference.split("-")[-1]) > int(old.split("-")[-1])


def _conversation(conversation_id: str, at: datetime) -> ConversationRecord:
    record = ConversationRecord(
        id=conversation_id,
        channel="web",
        audience="public",
        state="{}",
        created_at=at,
        updated_at=at,
    )
    record.turns = [
        ConversationTurn(at=at, role="person", text="can I see my son's file?"),
        ConversationTurn(at=at, role="bot", text="Yes: shall I log a request?"),
    ]
    return record


def _chats(engine: Engine, how_many: int, at: datetime) -> None:
    with session_factory(engine).begin() as session:
        for number in range(how_many):
            session.add(_conversation(f"chat-{number}", at + timedelta(minutes=number)))
            session.add(
                ProcessedMessage(source_id=f"web:{number}", conversation_id="x", created_at=at)
            )


def test_purge_works_in_batches_and_reports_everything_it_removed(
    engine: Engine, service: RequestService, clock: Clock, new_request: Make
) -> None:
    closed = []
    for number in range(7):
        reference = service.log(new_request(source_key=str(number)), actor="office").reference
        service.close(reference, Outcome.COMPLIED, actor="dana")
        closed.append(reference)
    _chats(engine, 5, clock.now)
    clock.advance(days=500)
    statements: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        report = retention.purge(
            session_factory(engine),
            retention.Cutoffs(clock.now - timedelta(days=30), clock.now - timedelta(days=420)),
            actor="dpl",
            now=clock.now,
            dry_run=False,
            batch=3,
        )
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert report.tickets == tuple(closed)
    assert (report.conversations, report.turns, report.processed_messages) == (5, 10, 5)
    # Ten turns at five moments, about three at a time: several deletes, each a short transaction.
    turn_deletes = [s for s in statements if s.startswith("DELETE FROM conversation_turns")]
    assert len(turn_deletes) >= 3
    for model in (Ticket, ConversationRecord, ConversationTurn, ProcessedMessage):
        assert count(engine, model) == 0
    assert [e[0] for e in events(engine, closed[-1])][-1] == "purged"


@pytest.mark.postgres
def test_purge_statements_never_rescan_a_subquery_per_row_on_postgresql(
    engine: Engine, service: RequestService, clock: Clock, new_request: Make
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the plan check is for PostgreSQL")
    reference = service.log(new_request(), actor="office").reference
    service.close(reference, Outcome.COMPLIED, actor="dana")
    _chats(engine, 4, clock.now)
    clock.advance(days=500)
    captured: list[tuple[str, object]] = []

    def record(_c: object, _cur: object, statement: str, parameters: object, *_: object) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "DELETE")):
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        for dry_run in (True, False):
            service.purge(actor="dpl", transcript_days=30, closed_ticket_days=420, dry_run=dry_run)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    deletes = [s for s, _ in captured if s.lstrip().upper().startswith("DELETE")]
    assert len(deletes) >= 4  # turns, conversations, processed messages, tickets
    with engine.connect() as connection:
        for statement, parameters in captured:
            plan = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).scalars().all()  # type: ignore[arg-type]
            text = "\n".join(plan)
            # A SubPlan is a subquery run per row (or hashed per statement): the old purge's
            # `OR conversation_id IN (SELECT ...)` ran one per transcript line and never ended.
            assert "SubPlan" not in text, f"{statement}\n{text}"
        connection.rollback()


def test_the_streamed_export_pages_by_keyset_without_losing_or_repeating_a_row(
    engine: Engine, service: RequestService, clock: Clock, new_request: Make
) -> None:
    # Several tickets received at the very same moment: the paging must order ties by id.
    references = [
        service.log(new_request(source_key=str(n)), actor="office").reference for n in range(7)
    ]
    earlier = service.log(
        new_request(received_at=clock.now - timedelta(days=3), source_key="e"), actor="office"
    ).reference
    whole = list(export.export_rows(session_factory(engine), clock.today, service.messages))
    paged = list(
        export.export_rows(session_factory(engine), clock.today, service.messages, batch=2)
    )
    assert paged == whole
    assert [row["reference"] for row in whole] == [earlier, *references]
    text = "".join(export.csv_chunks(iter(paged), lines=3))
    assert text.splitlines()[0] == ",".join(EXPORT_COLUMNS)
    assert len(text.splitlines()) == 9
