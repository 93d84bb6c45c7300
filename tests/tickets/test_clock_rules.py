"""Tests for the clock rules of issue 13: kinds whose clock the law fixes, and ID asked too late."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine

from bot.console.figures import figures
from bot.rules.clock import LONDON
from bot.rules.deadlines import PauseReason, TicketKind
from bot.rules.lifecycle import (
    Action,
    ActionNotAllowed,
    ClockCannotMove,
    Outcome,
    RequestChannel,
    Status,
)
from bot.storage.engine import session_factory
from bot.tickets.service import NewRequest, RequestService, TicketFilter
from tests.conftest import TEST_CALENDAR, Clock

Make = Callable[..., NewRequest]
Refusal = Callable[[RequestService, str], object]

CLOCK_CHANGES: dict[str, Refusal] = {
    "request-id": lambda service, ref: service.request_id(ref, actor="dana"),
    "pause": lambda service, ref: service.pause(
        ref, PauseReason.AWAITING_CLARIFICATION, actor="dana"
    ),
    "fee": lambda service, ref: service.pause(ref, PauseReason.AWAITING_FEE, actor="dana"),
    "extend": lambda service, ref: service.extend(ref, "complex", actor="dana"),
}


def received(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), LONDON) + timedelta(hours=9)


@pytest.mark.parametrize("change", sorted(CLOCK_CHANGES))
@pytest.mark.parametrize(
    ("kind", "why"),
    [
        (TicketKind.COMPLAINT, r"acknowledge it within\s+30 days \(DPA 2018 s\.164A\)"),
        (TicketKind.EDUCATIONAL_RECORD, r"15 school days.*reg\. 5"),
    ],
)
def test_a_fixed_clock_refuses_id_pause_and_extension_naming_the_law(
    service: RequestService,
    clock: Clock,
    new_request: Make,
    kind: TicketKind,
    why: str,
    change: str,
) -> None:
    clock.set_day(date(2026, 10, 14))
    logged = service.log(new_request(kind=kind, channel=RequestChannel.EMAIL), actor="office")
    with pytest.raises(ClockCannotMove, match=why) as refused:
        CLOCK_CHANGES[change](service, logged.reference)
    assert logged.reference in str(refused.value)
    ticket = service.get(logged.reference, actor="dana").ticket
    # Nothing changed: the ticket still runs on its statutory clock and can fall overdue.
    assert (ticket.status, ticket.due_date, ticket.extended) == (
        Status.OPEN,
        logged.due_date,
        False,
    )
    assert service.get(logged.reference, actor="dana").pauses == ()


def test_a_refused_status_action_lists_only_what_the_kind_allows(
    service: RequestService, clock: Clock, new_request: Make
) -> None:
    clock.set_day(date(2026, 10, 14))
    complaint = service.log(new_request(kind=TicketKind.COMPLAINT), actor="office")
    with pytest.raises(ActionNotAllowed) as refused:
        service.resume(complaint.reference, actor="dana")
    assert refused.value.allowed == (
        Action.VIEW,
        Action.NOTE,
        Action.ASSIGN,
        Action.ID_NOT_NEEDED,
        Action.CLOSE,
    )
    assert "pause" not in str(refused.value)
    assert "extend" not in str(refused.value)
    assert Action.EXTEND not in service.actions_for(complaint)
    sar = service.log(new_request(source_key="sar"), actor="office")
    assert Action.EXTEND in service.actions_for(sar)


def test_an_academy_answers_an_educational_record_as_a_sar_so_its_clock_can_move(
    engine: Engine, clock: Clock, new_request: Make
) -> None:
    academy = RequestService(
        session_factory(engine), school_type="academy", calendar=TEST_CALENDAR, now=clock
    )
    logged = academy.log(
        new_request(kind=TicketKind.EDUCATIONAL_RECORD, channel=RequestChannel.LETTER),
        actor="office",
    )
    view = academy.extend(logged.reference, "a great deal of data", actor="dana")
    assert view.extended
    assert view.due_date == date(2026, 6, 3)


def test_id_asked_after_the_due_date_leaves_the_request_late(
    service: RequestService, clock: Clock, new_request: Make
) -> None:
    clock.set_day(date(2026, 3, 10))
    late = service.log(new_request(received_at=received(date(2026, 2, 2))), actor="office")
    assert late.due_date == date(2026, 3, 2)
    waiting = service.request_id(late.reference, actor="dana")
    # Recorded as asked for, but the clock did not stop: still due 2 March, still overdue.
    assert waiting.status is Status.AWAITING_ID
    assert waiting.id_requested_on == clock.today
    assert waiting.due_date == date(2026, 3, 2)
    assert waiting.late_restart
    assert not waiting.paused
    assert waiting.is_overdue(clock.today)
    overdue = service.list_tickets(TicketFilter(overdue=True))
    assert [t.reference for t in overdue] == [late.reference]
    assert "cannot make the" in service.messages.late_restart(late.reference, late.due_date)

    clock.set_day(date(2026, 3, 12))
    back = service.id_received(late.reference, actor="dana")
    assert back.due_date == date(2026, 3, 2)
    assert back.is_overdue(clock.today)
    closed = service.close(late.reference, Outcome.COMPLIED, actor="dana")
    assert closed.on_time(clock.today) is False

    [row] = [r for r in service.export_rows(actor="dpo") if r["reference"] == late.reference]
    assert row["on_time"] == "no"
    assert row["due_date"] == "2026-03-02"
    assert "asked after the due date" in row["clock_pauses"]


def test_id_asked_in_time_restarts_the_month_and_the_figures_count_only_the_late_one(
    service: RequestService, clock: Clock, new_request: Make
) -> None:
    clock.set_day(date(2026, 2, 20))
    in_time = service.log(new_request(received_at=received(date(2026, 2, 2))), actor="office")
    service.request_id(in_time.reference, actor="dana")  # before the 2 March due date
    late = service.log(
        new_request(received_at=received(date(2026, 1, 5)), source_key="late"), actor="office"
    )
    assert late.due_date == date(2026, 2, 5)
    service.pause(late.reference, PauseReason.AWAITING_FEE, actor="dana")  # after 5 February
    clock.set_day(date(2026, 2, 25))
    restarted = service.id_received(in_time.reference, actor="dana")
    assert restarted.due_date == date(2026, 3, 25)
    service.resume(late.reference, actor="dana")
    service.close(in_time.reference, Outcome.COMPLIED, actor="dana")
    service.close(late.reference, Outcome.COMPLIED, actor="dana")

    rows = {r["reference"]: r for r in service.export_rows(actor="dpo")}
    assert rows[in_time.reference]["on_time"] == "yes"
    assert "asked after" not in rows[in_time.reference]["clock_pauses"]
    assert rows[late.reference]["on_time"] == "no"
    numbers = figures(service.list_tickets(TicketFilter(include_closed=True)), clock.today)
    assert (numbers.on_time, numbers.late) == (1, 1)
