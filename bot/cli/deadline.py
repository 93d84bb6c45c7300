"""`privacybot deadline`: a statutory due date from the command line, to check by hand."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from bot.cli.common import Cli, fail
from bot.config import ConfigError
from bot.content.errors import ContentError
from bot.content.school import School
from bot.rules.deadlines import (
    COMPLAINT_DUTY_STARTS,
    CalendarError,
    ClockChange,
    ClockPause,
    PauseReason,
    TicketKind,
    due_date,
    has_statutory_deadline,
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
    cli = Cli.start()
    request_kind = cli.choice(TicketKind, kind, "kind")
    received = _date(cli, received_date, "deadline.received")
    clarifications = [_period(cli, value, received) for value in pause or ()]
    restarts = [_restart(cli, value, received) for value in restart or ()]
    try:
        school = school_from_settings(cli.settings)
    except ConfigError as error:
        raise fail(str(error), 2) from error
    asked = {
        ClockChange.EXTEND: extended,
        ClockChange.PAUSE: bool(clarifications),
        ClockChange.RESTART: bool(restarts),
    }
    _refuse_what_the_law_forbids(request_kind, asked, school)
    if not has_statutory_deadline(request_kind, received):
        print(cli.text("deadline.none", start=COMPLAINT_DUTY_STARTS.isoformat()))
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
    rule = fixed_clock(kind, school.school_type)
    if rule is None or not any(asked.values()):
        return
    # Staff read the same words here as when a ticket's clock cannot move (ticket_rules.yaml).
    try:
        messages = TicketMessages.load(school.answers_dir)
    except ContentError as problem:
        raise fail(str(problem), 2) from problem
    raise fail(messages.clock_cannot_move(rule, messages.problem("this_request")), 2)


def _date(cli: Cli, value: str, what: str) -> date:
    """A date, or a refusal naming what it was given as (`what`: its key in answers/cli.yaml)."""
    return cli.parse_date(value, cli.text(what))


def _period(cli: Cli, value: str, received: date) -> ClockPause:
    """`FROM:TO`, the day the school asked for clarification and the day the answer came."""
    first, separator, last = value.partition(":")
    if not separator:
        raise cli.refuse("deadline.pause_two_dates", value=repr(value))
    started = _date(cli, first, "deadline.pause_start")
    ended = _date(cli, last, "deadline.pause_end")
    if ended < started:
        raise cli.refuse("deadline.pause_backwards", value=repr(value))
    if started < received:
        raise cli.refuse("deadline.pause_early", value=repr(value))
    return ClockPause(PauseReason.AWAITING_CLARIFICATION, started, ended)


def _restart(cli: Cli, value: str, received: date) -> ClockPause:
    """The day ID or a fee arrived, from which the month runs again."""
    arrived = _date(cli, value, "deadline.restart")
    if arrived < received:
        raise cli.refuse("deadline.restart_early", value=repr(value))
    return ClockPause(PauseReason.AWAITING_ID, arrived, arrived)
