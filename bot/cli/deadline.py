"""`privacybot deadline`: a statutory due date from the command line, to check by hand."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from bot.cli.common import fail, settings_or_exit
from bot.config import ConfigError
from bot.content.errors import ContentError
from bot.content.school import School
from bot.rules.deadlines import (
    COMPLAINT_DUTY_STARTS,
    CalendarError,
    ClockChange,
    ClockChangeRefused,
    ClockPause,
    PauseReason,
    TicketKind,
    due_date,
    has_statutory_deadline,
    refuse_clock_change,
)
from bot.rules.lifecycle import fixed_clock
from bot.tickets.messages import TicketMessages
from bot.tickets.school import school_from_settings


def deadline(
    kind: Annotated[str, typer.Argument(help="The request kind: sar, educational_record, ...")],
    received_date: Annotated[str, typer.Argument(help="The day it was received, YYYY-MM-DD.")],
    extended: Annotated[
        bool, typer.Option("--extended", help="Three months from the start, for complex requests.")
    ] = False,
    pause: Annotated[
        list[str] | None,
        typer.Option(
            "--pause",
            metavar="FROM:TO",
            help="Waiting for clarification, both days included (repeatable).",
        ),
    ] = None,
    restart: Annotated[
        list[str] | None,
        typer.Option(
            "--restart",
            metavar="DATE",
            help="ID or a fee arrived: the month starts again from DATE (repeatable).",
        ),
    ] = None,
) -> None:
    """Print the statutory due date (ISO) for a request of KIND received on RECEIVED_DATE."""
    request_kind = _kind(kind)
    received = _date(received_date, "received date")
    clarifications = [_period(value, received) for value in pause or ()]
    restarts = [_restart(value, received) for value in restart or ()]
    try:
        school = school_from_settings(settings_or_exit())
    except ConfigError as error:
        raise fail(str(error), 2) from error
    asked = {
        ClockChange.EXTEND: extended,
        ClockChange.PAUSE: bool(clarifications),
        ClockChange.RESTART: bool(restarts),
    }
    _refuse_what_the_law_forbids(request_kind, asked, school)
    if not has_statutory_deadline(request_kind, received):
        print(
            f"no statutory deadline: only complaints received from "
            f"{COMPLAINT_DUTY_STARTS.isoformat()} must be acknowledged within 30 days "
            "(DPA 2018 s.164A)"
        )
        return
    try:
        due = due_date(
            request_kind,
            received,
            extended=extended,
            pauses=[*clarifications, *restarts],
            calendar=school.calendar,
            school_type=school.school_type,
        )
    except (CalendarError, ValueError) as error:
        raise fail(str(error), 2) from error
    print(due.isoformat())


def _refuse_what_the_law_forbids(
    kind: TicketKind, asked: dict[ClockChange, bool], school: School
) -> None:
    try:
        for change, wanted in asked.items():
            if wanted:
                refuse_clock_change(kind, change, school_type=school.school_type)
    except ClockChangeRefused as error:
        rule = fixed_clock(kind, school.school_type)
        if rule is None:
            raise
        # Staff read the same words here as when a ticket's clock cannot move (ticket_rules.yaml).
        try:
            messages = TicketMessages.load(school.answers_dir)
        except ContentError as problem:
            raise fail(str(problem), 2) from problem
        refusal = messages.clock_cannot_move(rule, messages.problem("this_request"))
        raise fail(refusal, 2) from error


def _kind(value: str) -> TicketKind:
    try:
        return TicketKind(value.strip().lower().replace("-", "_"))
    except ValueError:
        accepted = ", ".join(member.value for member in TicketKind)
        raise fail(f"{value!r} is not a request kind; use one of: {accepted}", 2) from None


def _date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise fail(f"{what} {value!r} is not a date; write it as YYYY-MM-DD", 2) from None


def _period(value: str, received: date) -> ClockPause:
    """`FROM:TO`, the day the school asked for clarification and the day the answer came."""
    first, separator, last = value.partition(":")
    if not separator:
        raise fail(f"--pause {value!r} needs two dates, FROM:TO (YYYY-MM-DD:YYYY-MM-DD)", 2)
    started = _date(first, "--pause start")
    ended = _date(last, "--pause end")
    if ended < started:
        raise fail(f"--pause {value!r} ends before it starts", 2)
    if started < received:
        raise fail(f"--pause {value!r} starts before the request was received", 2)
    return ClockPause(PauseReason.AWAITING_CLARIFICATION, started, ended)


def _restart(value: str, received: date) -> ClockPause:
    """The day ID or a fee arrived, from which the month runs again."""
    arrived = _date(value, "--restart date")
    if arrived < received:
        raise fail(f"--restart {value!r} is before the request was received", 2)
    return ClockPause(PauseReason.AWAITING_ID, arrived, arrived)
