"""`privacybot tickets` commands that work a ticket: assign, note, the clock, extend, close,
reopen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from bot.cli.common import By, Cli, On, Reference, say
from bot.rules.clock import london_now
from bot.rules.deadlines import PauseReason
from bot.rules.lifecycle import NoteVisibility, Outcome
from bot.tickets.reopening import Reopening
from bot.tickets.service import RequestService, TicketView


def tickets_assign(reference: Reference, name: str, by: By = None) -> None:
    """Give a ticket to NAME."""
    cli = Cli.start()
    with cli.requests() as service:
        view = service.assign(reference, name, actor=cli.acting(by))
    cli.say("tickets.assigned", summary=cli.summary(view), assignee=view.assignee)


def tickets_note(
    reference: Reference,
    text: str,
    to_requester: Annotated[
        bool, typer.Option("--to-requester", help="Record text that was sent to the requester.")
    ] = False,
    by: By = None,
) -> None:
    """Add a note (internal unless --to-requester)."""
    cli = Cli.start()
    visibility = NoteVisibility.TO_REQUESTER if to_requester else NoteVisibility.INTERNAL
    with cli.requests() as service:
        view = service.add_note(reference, text, actor=cli.acting(by), visibility=visibility)
    cli.say("tickets.noted", reference=view.reference, visibility=visibility.value)


def tickets_pause(
    reference: Reference,
    reason: Annotated[
        str, typer.Argument(help="awaiting_id, awaiting_clarification, awaiting_fee")
    ],
    on: On = None,
    by: By = None,
) -> None:
    """Stop the clock while waiting for the requester (ID, a fee, or clarification)."""
    cli = Cli.start()
    wanted = reason.strip().lower().replace("-", "_")
    try:
        pause_reason = PauseReason(
            wanted if wanted.startswith("awaiting_") else f"awaiting_{wanted}"
        )
    except ValueError:
        raise cli.refuse("tickets.not_statutory", value=repr(reason)) from None
    with cli.requests() as service:
        view = service.pause(
            reference, pause_reason, actor=cli.acting(by), on=cli.optional_date(on, "--on")
        )
    say(cli.summary(view))
    _say_if_late(service, view)


def _say_if_late(service: RequestService, view: TicketView) -> None:
    """ID or a fee asked for after the due date: say that the request stays late."""
    if view.late_restart:
        say(service.messages.late_restart(view.reference, view.due_date))


def tickets_hold(reference: Reference, reason: str, by: By = None) -> None:
    """Note an internal hold (legal advice, staff absence): the clock keeps running."""
    cli = Cli.start()
    with cli.requests() as service:
        view = service.record_hold(reference, reason, actor=cli.acting(by))
    cli.say("tickets.held", summary=cli.summary(view))


def tickets_resume(reference: Reference, on: On = None, by: By = None) -> None:
    """Restart the clock: what the school was waiting for arrived (on --on, default today)."""
    cli = Cli.start()
    with cli.requests() as service:
        view = service.resume(reference, actor=cli.acting(by), on=cli.optional_date(on, "--on"))
    say(cli.summary(view))


def tickets_request_id(reference: Reference, on: On = None, by: By = None) -> None:
    """Record that ID was asked for; the month starts again when it arrives."""
    cli = Cli.start()
    with cli.requests() as service:
        view = service.request_id(reference, actor=cli.acting(by), on=cli.optional_date(on, "--on"))
    say(cli.summary(view))
    _say_if_late(service, view)


def tickets_id_received(reference: Reference, on: On = None, by: By = None) -> None:
    """Record that the requested ID arrived and was checked (by you, or --by)."""
    cli = Cli.start()
    with cli.requests() as service:
        view = service.id_received(
            reference, actor=cli.acting(by), on=cli.optional_date(on, "--on")
        )
    say(cli.summary(view))


def tickets_id_not_needed(
    reference: Reference,
    reason: Annotated[str, typer.Option(help="Why the school is sure who is asking.")],
    by: By = None,
) -> None:
    """Record why no ID is asked for."""
    cli = Cli.start()
    with cli.requests() as service:
        view = service.id_not_needed(reference, reason, actor=cli.acting(by))
    cli.say("tickets.id_not_needed", summary=cli.summary(view))


def tickets_extend(
    reference: Reference,
    reason: Annotated[str, typer.Option(help="Why: complex, or several requests.")],
    told: Annotated[
        str | None,
        typer.Option(help="The day the requester was told, with reasons (default: today)."),
    ] = None,
    by: By = None,
) -> None:
    """Extend to three months from the start; the requester must be told within the first month."""
    cli = Cli.start()
    with cli.requests() as service:
        view = service.extend(
            reference, reason, actor=cli.acting(by), told_on=cli.optional_date(told, "--told")
        )
    say(cli.summary(view))


def tickets_close(
    reference: Reference,
    outcome: Annotated[str, typer.Argument(help=", ".join(o.value for o in Outcome))],
    reason: Annotated[str | None, typer.Option(help="Required for a refusal.")] = None,
    by: By = None,
) -> None:
    """Close a ticket with its outcome."""
    cli = Cli.start()
    result = cli.choice(Outcome, outcome, "outcome")
    with cli.requests() as service:
        view = service.close(reference, result, actor=cli.acting(by), reason=reason)
    on_time = "on_time" if view.on_time(london_now().date()) else "late"
    cli.say(f"tickets.closed_{on_time}", reference=view.reference, outcome=result.value)
    if result is Outcome.REFUSED:
        cli.say("tickets.refused")


def tickets_reopen(
    reference: Reference,
    reason: Annotated[str, typer.Argument(help="Why it needs reopening (kept on the ticket).")],
    by: By = None,
) -> None:
    """Reopen a closed ticket as in progress; its outcome is cleared and the reason noted."""
    cli = Cli.start()
    with cli.requests() as service:
        reopening = Reopening(service.sessions, messages=service.messages)
        view = reopening.reopen(reference, reason, actor=cli.acting(by))
    cli.say("tickets.reopened", summary=cli.summary(view))


COMMANDS: dict[str, Callable[..., Any]] = {
    "assign": tickets_assign,
    "note": tickets_note,
    "pause": tickets_pause,
    "hold": tickets_hold,
    "resume": tickets_resume,
    "request-id": tickets_request_id,
    "id-received": tickets_id_received,
    "id-not-needed": tickets_id_not_needed,
    "extend": tickets_extend,
    "close": tickets_close,
    "reopen": tickets_reopen,
}
