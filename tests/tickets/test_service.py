"""Tests for the request service: life cycle, clock, audit trail, status machine, export, purge."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.config import ConfigError, Settings
from bot.rules.clock import LONDON
from bot.rules.deadlines import PauseReason, TicketKind
from bot.rules.lifecycle import ActionNotAllowed, NoteVisibility, Outcome, RequestChannel, Status
from bot.storage.engine import session_factory
from bot.storage.tables import ClockPauseRecord, Ticket
from bot.tickets.service import (
    CalendarProblem,
    InvalidChange,
    NewRequest,
    RequestService,
    TicketFilter,
    TicketNotFound,
)
from tests.conftest import Clock
from tests.tickets.db_helpers import count

Make = Callable[..., NewRequest]
SHIPPED_ANSWERS = Path(__file__).resolve().parents[2] / "answers"


# -- the life cycle and the clock -------------------------------------------------------------


def test_a_request_worked_from_logging_to_closing(
    service: RequestService, clock: Clock, new_request: Make
) -> None:
    # Received Tue 3 March 2026: 3 April is Good Friday and 6 April Easter Monday.
    ticket = service.log(new_request(), actor="office")
    assert (ticket.status, ticket.due_date) == (Status.OPEN, date(2026, 4, 7))

    clock.set_day(date(2026, 3, 4))
    assert service.assign(ticket.reference, "Dana DPL", actor="head").status is Status.IN_PROGRESS
    paused = service.request_id(ticket.reference, actor="dana")
    assert (paused.status, paused.id_requested_on, paused.paused) == (
        Status.AWAITING_ID,
        date(2026, 3, 4),
        True,
    )

    # ID arriving on 10 March starts the month again: 10 April, whatever the request's date.
    clock.set_day(date(2026, 3, 10))
    resumed = service.id_received(ticket.reference, actor="dana")
    assert (resumed.status, resumed.due_date) == (Status.IN_PROGRESS, date(2026, 4, 10))
    assert (resumed.id_received_on, resumed.id_verified_by) == (date(2026, 3, 10), "dana")

    # Clarification asked on 12 March and answered on 19 March, both days included: 8 days,
    # so Saturday 18 April, which rolls to Monday 20 April.
    clock.set_day(date(2026, 3, 12))
    service.pause(ticket.reference, PauseReason.AWAITING_CLARIFICATION, actor="dana")
    clock.set_day(date(2026, 3, 19))
    assert service.resume(ticket.reference, actor="dana").due_date == date(2026, 4, 20)

    # Three months from the start (10 March), plus the same 8 days.
    clock.set_day(date(2026, 3, 20))
    extended = service.extend(ticket.reference, "several linked requests", actor="dana")
    assert (extended.extended, extended.extension_told_on) == (True, date(2026, 3, 20))
    assert extended.due_date == date(2026, 6, 18)

    clock.set_day(date(2026, 5, 1))
    closed = service.close(ticket.reference, Outcome.COMPLIED, actor="dana")
    assert (closed.status, closed.outcome) == (Status.CLOSED, Outcome.COMPLIED)
    assert closed.closed_at is not None
    assert closed.on_time(clock.today) is True

    detail = service.get(ticket.reference, actor="auditor")
    assert [(p.reason, p.started, p.ended) for p in detail.pauses] == [
        (PauseReason.AWAITING_ID, date(2026, 3, 4), date(2026, 3, 10)),
        (PauseReason.AWAITING_CLARIFICATION, date(2026, 3, 12), date(2026, 3, 19)),
    ]


def test_id_received_by_post_can_be_recorded_on_its_real_day(
    service: RequestService, clock: Clock, new_request: Make
) -> None:
    ticket = service.log(new_request(), actor="office")
    clock.set_day(date(2026, 3, 13))
    service.request_id(ticket.reference, actor="office", on=date(2026, 3, 4))
    view = service.id_received(ticket.reference, actor="office", on=date(2026, 3, 11))
    assert view.due_date == date(2026, 4, 13)  # 11 April is a Saturday


def test_pause_dates_must_fall_between_receipt_and_today(
    service: RequestService, new_request: Make
) -> None:
    reference = service.log(new_request(), actor="office").reference
    with pytest.raises(InvalidChange, match="future"):
        service.request_id(reference, actor="office", on=date(2026, 3, 9))
    with pytest.raises(InvalidChange, match="before the request was received"):
        service.request_id(reference, actor="office", on=date(2026, 3, 2))


def test_the_day_of_receipt_is_the_london_day(
    service: RequestService, clock: Clock, new_request: Make
) -> None:
    # 00:30 on 1 July in London is still 30 June in UTC; the clock counts from 1 July.
    clock.set_day(date(2026, 7, 2))
    received = datetime(2026, 7, 1, 0, 30, tzinfo=LONDON)
    ticket = service.log(new_request(received_at=received), actor="office")
    assert ticket.received_on == date(2026, 7, 1)
    assert ticket.received_at == received
    assert ticket.due_date == date(2026, 8, 3)  # 1 August 2026 is a Saturday


def test_an_internal_hold_never_moves_the_clock(
    service: RequestService, engine: Engine, new_request: Make
) -> None:
    ticket = service.log(new_request(), actor="office")
    held = service.record_hold(ticket.reference, "waiting for legal advice", actor="dana")
    assert (held.status, held.due_date) == (ticket.status, ticket.due_date)
    [note] = service.get(ticket.reference, actor="dana").notes
    assert "clock keeps running" in note.text
    assert note.visibility is NoteVisibility.INTERNAL
    assert count(engine, ClockPauseRecord) == 0


def test_a_missing_id_check_records_why(service: RequestService, new_request: Make) -> None:
    reference = service.log(new_request(), actor="office").reference
    view = service.id_not_needed(
        reference, "parent known to staff, emailing from the MIS address", actor="dana"
    )
    assert view.id_not_needed_reason is not None
    other = service.log(new_request(source_key="second"), actor="office").reference
    service.request_id(other, actor="dana")
    service.id_received(other, actor="dana")
    with pytest.raises(InvalidChange, match="ID was asked for"):
        service.id_not_needed(other, "changed my mind", actor="dana")


def test_a_refusal_needs_its_reason(service: RequestService, new_request: Make) -> None:
    reference = service.log(new_request(), actor="office").reference
    with pytest.raises(InvalidChange, match="refusal needs its reason"):
        service.close(reference, Outcome.REFUSED, actor="dana", reason="  ")
    closed = service.close(
        reference, Outcome.REFUSED, actor="dana", reason="repeats last month's request"
    )
    assert closed.outcome_reason == "repeats last month's request"


def test_closing_a_paused_ticket_ends_its_pause(
    service: RequestService, clock: Clock, new_request: Make
) -> None:
    reference = service.log(new_request(), actor="office").reference
    service.request_id(reference, actor="office")
    clock.advance(days=30)
    service.close(reference, Outcome.WITHDRAWN, actor="office")
    [pause] = service.get(reference, actor="office").pauses
    assert pause.ended == clock.today


def test_an_extension_must_be_told_within_the_first_month(
    service: RequestService, clock: Clock, new_request: Make
) -> None:
    reference = service.log(new_request(), actor="office").reference
    clock.set_day(date(2026, 4, 20))
    with pytest.raises(InvalidChange, match=r"told of an extension by 2026-04-07"):
        service.extend(reference, "complex", actor="dana")
    view = service.extend(reference, "complex", actor="dana", told_on=date(2026, 4, 7))
    assert view.due_date == date(2026, 6, 3)
    with pytest.raises(InvalidChange, match="already extended"):
        service.extend(reference, "again", actor="dana")


def test_educational_records_count_school_days_and_must_be_written(
    engine: Engine, service: RequestService, clock: Clock, new_request: Make
) -> None:
    clock.set_day(date(2026, 10, 14))
    edu = new_request(kind=TicketKind.EDUCATIONAL_RECORD, channel=RequestChannel.EMAIL)
    # 15 school days, skipping half term (19-23 Oct) and the INSET day on 2 November.
    assert service.log(edu, actor="office").due_date == date(2026, 11, 12)
    with pytest.raises(InvalidChange, match="must be written"):
        service.log(
            new_request(kind=TicketKind.EDUCATIONAL_RECORD, channel=RequestChannel.PHONE),
            actor="office",
        )
    academy = RequestService(session_factory(engine), school_type="academy", now=clock)
    assert academy.log(edu, actor="office").due_date == date(2026, 11, 16)  # a SAR's month
    no_terms = RequestService(session_factory(engine), calendar=None, now=clock)
    with pytest.raises(CalendarProblem, match="school calendar"):
        no_terms.log(edu, actor="office")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("requester_name", "  ", "requester name is missing"),
        ("request_text", "", "request in the person's words is missing"),
        ("received_at", datetime(2026, 3, 4, 10, 0, tzinfo=LONDON), "future"),
    ],
)
def test_an_incomplete_request_is_refused(
    service: RequestService, new_request: Make, field: str, value: object, message: str
) -> None:
    with pytest.raises(InvalidChange, match=message):
        service.log(new_request(**{field: value}), actor="office")


# -- references and idempotency ---------------------------------------------------------------


def test_each_kind_has_its_reference_prefix_and_references_are_unique(
    service: RequestService, clock: Clock, new_request: Make
) -> None:
    clock.set_day(date(2026, 10, 14))
    references = [
        service.log(new_request(kind=kind, channel=RequestChannel.EMAIL), actor="office").reference
        for kind in TicketKind
    ]
    prefixes = [reference.split("-")[0] for reference in references]
    assert prefixes == ["SAR", "EDU", "RECT", "ERAS", "REST", "OBJ", "DM", "ADM", "COMP"]
    assert all(re.fullmatch(r"[A-Z]+-2026-\d{4}", reference) for reference in references)
    assert len(set(references)) == len(references)


def test_the_reference_year_is_the_year_of_receipt(
    service: RequestService, new_request: Make
) -> None:
    received = datetime(2025, 12, 31, 23, 30, tzinfo=LONDON)
    assert service.log(new_request(received_at=received), actor="o").reference.startswith(
        "SAR-2025-"
    )


def test_references_are_case_insensitive(service: RequestService, new_request: Make) -> None:
    reference = service.log(new_request(), actor="office").reference
    assert service.get(f" {reference.lower()} ", actor="office").ticket.reference == reference
    with pytest.raises(TicketNotFound, match="no ticket SAR-1999-0001"):
        service.get("sar-1999-0001", actor="office")


def test_logging_the_same_source_twice_gives_one_ticket(
    engine: Engine, service: RequestService, new_request: Make
) -> None:
    first = service.log(new_request(source_key="web:conv-1:intake"), actor="bot")
    again = service.log(new_request(source_key="web:conv-1:intake"), actor="bot")
    assert again.reference == first.reference
    assert count(engine, Ticket) == 1


# -- the status machine -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prepare", "attempt", "allowed"),
    [
        (
            None,
            lambda s, r: s.id_received(r, actor="dana"),
            "allowed now: view, note, assign, request-id, id-not-needed, pause, extend, close",
        ),
        (
            lambda s, r: s.pause(r, PauseReason.AWAITING_CLARIFICATION, actor="dana"),
            lambda s, r: s.id_received(r, actor="dana"),
            "allowed now: view, note, assign, resume, extend, close",
        ),
        (
            lambda s, r: s.close(r, Outcome.COMPLIED, actor="dana"),
            lambda s, r: s.assign(r, "Dana", actor="dana"),
            "is closed, so 'assign' is not possible; reopen it first (with the reason)",
        ),
        (
            lambda s, r: s.request_id(r, actor="dana"),
            lambda s, r: s.pause(r, PauseReason.AWAITING_FEE, actor="dana"),
            "allowed now: view, note, assign, id-received, resume, extend, close",
        ),
    ],
)
def test_an_action_the_status_does_not_allow_names_the_allowed_ones(
    service: RequestService,
    new_request: Make,
    prepare: Callable[[RequestService, str], object] | None,
    attempt: Callable[[RequestService, str], object],
    allowed: str,
) -> None:
    reference = service.log(new_request(), actor="office").reference
    if prepare:
        prepare(service, reference)
    with pytest.raises(ActionNotAllowed, match=re.escape(allowed)):
        attempt(service, reference)


def test_a_closed_ticket_can_still_be_annotated(service: RequestService, new_request: Make) -> None:
    reference = service.log(new_request(), actor="office").reference
    service.close(reference, Outcome.NO_DATA_HELD, actor="dana")
    service.add_note(
        reference, "copy of reply filed", actor="dana", visibility=NoteVisibility.TO_REQUESTER
    )
    assert len(service.get(reference, actor="dana").notes) == 1


# -- listing ----------------------------------------------------------------------------------


def test_list_filters_and_orders_by_due_date(
    service: RequestService, clock: Clock, new_request: Make
) -> None:
    def log_on(day: date, **fields: object) -> str:
        at = datetime.combine(day, datetime.min.time(), LONDON) + timedelta(hours=9)
        return service.log(new_request(received_at=at, **fields), actor="office").reference

    clock.set_day(date(2026, 3, 20))
    overdue = log_on(date(2026, 2, 2))  # due 2 March
    soon = log_on(date(2026, 2, 24), kind=TicketKind.ERASURE)  # due 24 March
    later = log_on(date(2026, 3, 19))  # due 20 April
    paused = log_on(date(2026, 2, 23))  # due 23 March, but waiting for ID asked in time
    service.request_id(paused, actor="dana")
    closed = log_on(date(2026, 3, 2))
    service.close(closed, Outcome.WITHDRAWN, actor="dana")
    service.assign(later, "Dana", actor="head")

    def refs(**filters: object) -> list[str]:
        return [t.reference for t in service.list_tickets(TicketFilter(**filters))]

    assert refs() == [overdue, soon, later, paused]
    assert refs(overdue=True) == [overdue]
    assert refs(due_within_days=7) == [soon]
    assert refs(kind=TicketKind.ERASURE) == [soon]
    assert refs(assignee="dana") == [later]
    assert refs(status=Status.CLOSED) == [closed]
    assert closed in refs(include_closed=True)
    [waiting] = service.list_tickets(TicketFilter(status=Status.AWAITING_ID))
    assert waiting.paused
    assert not waiting.is_overdue(clock.today)


# -- configuration ----------------------------------------------------------------------------


def test_from_settings_reads_school_type_and_the_shipped_calendar(database_url: str) -> None:
    service = RequestService.from_settings(
        Settings(answers_dir=SHIPPED_ANSWERS, database_url=database_url)
    )
    service.dispose()
    assert service.school_type == "maintained"
    calendar = service.calendar
    assert calendar is not None
    # Each school year shipped has the statutory 190 days in school for pupils.
    for year in (2025, 2026, 2027):
        day, days = date(year, 9, 1), 0
        while day < date(year + 1, 9, 1):
            days += calendar.is_school_day(day)
            day += timedelta(days=1)
        assert days == 190, year


# The least a school's facts hold: its type and how to reach the office.
ACADEMY_FACTS = "school:\n  school_type: academy\ncontact:\n  email: office@school.example\n"


def test_from_settings_refuses_a_bad_school_type(tmp_path: Path) -> None:
    (tmp_path / "facts.yaml").write_text("school:\n  school_type: grammar\n")
    settings = Settings(answers_dir=tmp_path, data_dir=tmp_path / "data", database_url=None)
    with pytest.raises(ConfigError, match=r"school\.school_type must be one of"):
        RequestService.from_settings(settings)


def test_a_configured_calendar_file_must_exist(tmp_path: Path) -> None:
    (tmp_path / "facts.yaml").write_text(ACADEMY_FACTS)
    settings = Settings(
        answers_dir=tmp_path,
        data_dir=tmp_path / "data",
        database_url=None,
        school_calendar_file=tmp_path / "terms.yaml",
    )
    with pytest.raises(ConfigError, match=r"terms\.yaml: cannot read the school calendar"):
        RequestService.from_settings(settings)


def test_from_settings_names_a_missing_clock_rules_message(tmp_path: Path) -> None:
    (tmp_path / "facts.yaml").write_text(ACADEMY_FACTS)
    (tmp_path / "ticket_rules.yaml").write_text("fixed_clock:\n  complaint: only this one\n")
    settings = Settings(answers_dir=tmp_path, data_dir=tmp_path / "data", database_url=None)
    with pytest.raises(ConfigError, match=r"ticket_rules\.yaml: 'fixed_clock\.educational_record'"):
        RequestService.from_settings(settings)
