"""Tests for the audit trail: every change and view recorded, free text kept off it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine, select

from bot.rules.lifecycle import Outcome
from bot.storage.engine import session_factory
from bot.storage.tables import AuditEvent
from bot.tickets.service import NewRequest, RequestService
from tests.conftest import Clock
from tests.tickets.db_helpers import events

Make = Callable[..., NewRequest]


# -- the audit trail --------------------------------------------------------------------------


def test_every_change_and_view_is_audited_with_who_and_what(
    engine: Engine, service: RequestService, clock: Clock, new_request: Make
) -> None:
    reference = service.log(new_request(), actor="office").reference
    assert events(engine, reference) == [
        ("logged", "kind", None, "sar"),
        ("logged", "channel", None, "web_chat"),
        ("logged", "received_at", None, "2026-03-03T10:00:00+00:00"),
        ("logged", "status", None, "open"),
        ("logged", "due_date", None, "2026-04-07"),
    ]

    def new_events(
        change: Callable[[], object],
    ) -> list[tuple[str, str | None, str | None, str | None]]:
        before = len(events(engine, reference))
        change()
        return events(engine, reference)[before:]

    assert new_events(lambda: service.assign(reference, "Dana", actor="head")) == [
        ("assigned", "assignee", None, "Dana"),
        ("assigned", "status", "open", "in_progress"),
    ]
    assert new_events(lambda: service.get(reference, actor="auditor")) == [
        ("viewed", None, None, None)
    ]
    assert new_events(lambda: service.list_tickets()) == []
    assert new_events(lambda: service.add_note(reference, "rang back", actor="dana")) == [
        ("note_added", "note", None, "internal")
    ]
    clock.set_day(date(2026, 3, 5))
    # The due date is recomputed too, but an ID asked for on day two does not change it yet.
    assert new_events(lambda: service.request_id(reference, actor="dana")) == [
        ("paused", "clock_pause", None, "awaiting_id"),
        ("paused", "id_requested_on", None, "2026-03-05"),
        ("paused", "status", "in_progress", "awaiting_id"),
    ]
    clock.set_day(date(2026, 3, 9))
    assert new_events(lambda: service.id_received(reference, actor="dana")) == [
        ("resumed", "clock_pause", "awaiting_id", None),
        ("resumed", "id_received_on", None, "2026-03-09"),
        ("resumed", "id_verified_by", None, "dana"),
        ("resumed", "status", "awaiting_id", "in_progress"),
        ("resumed", "due_date", "2026-04-07", "2026-04-09"),
    ]
    with session_factory(engine)() as session:
        actors = set(
            session.scalars(
                select(AuditEvent.actor).where(AuditEvent.ticket_reference == reference)
            )
        )
    assert actors == {"office", "head", "auditor", "dana"}


def test_the_audit_trail_holds_no_free_text(
    engine: Engine, service: RequestService, new_request: Make
) -> None:
    reference = service.log(new_request(), actor="office").reference
    service.add_note(reference, "Mum says Arjun is anxious", actor="dana")
    service.extend(reference, "Arjun's file spans two schools", actor="dana")
    service.close(reference, Outcome.REFUSED, actor="dana", reason="Arjun asked already")
    with session_factory(engine)() as session:
        values = session.execute(select(AuditEvent.old_value, AuditEvent.new_value)).all()
    text = " ".join(value for row in values for value in row if value)
    for personal in ("Arjun", "Priya", "priya.shah@example.org", "anxious"):
        assert personal not in text


def test_log_lines_hold_no_personal_details(
    service: RequestService, new_request: Make, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    reference = service.log(new_request(), actor="office").reference
    service.add_note(reference, "Priya rang about Arjun", actor="dana")
    service.close(reference, Outcome.COMPLIED, actor="dana")
    assert reference in caplog.text
    for personal in ("Arjun", "Priya", "priya.shah@example.org", "everything you hold"):
        assert personal not in caplog.text
