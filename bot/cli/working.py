"""`privacybot tickets` commands that work a ticket: assign, note, the clock, extend, close."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from bot.cli.common import (
    By,
    On,
    Reference,
    acting_staff,
    choice,
    console,
    fail,
    optional_date,
    request_service,
    say,
    summary,
)
from bot.rules.clock import london_now
from bot.rules.deadlines import PauseReason
from bot.rules.lifecycle import NoteVisibility, Outcome
from bot.tickets.service import RequestService, TicketView


def tickets_assign(reference: Reference, name: str, by: By = None) -> None:
    """Give a ticket to NAME."""
    with request_service() as service:
        view = service.assign(reference, name, actor=acting_staff(by))
    say(f"{summary(view)}; assigned to {view.assignee}")


def tickets_note(
    reference: Reference,
    text: str,
    to_requester: Annotated[
        bool, typer.Option("--to-requester", help="Record text that was sent to the requester.")
    ] = False,
    by: By = None,
) -> None:
    """Add a note (internal unless --to-requester)."""
    visibility = NoteVisibility.TO_REQUESTER if to_requester else NoteVisibility.INTERNAL
    with request_service() as service:
        view = service.add_note(reference, text, actor=acting_staff(by), visibility=visibility)
    say(f"{view.reference}: {visibility.value} note added")


def tickets_pause(
    reference: Reference,
    reason: Annotated[
        str, typer.Argument(help="awaiting_id, awaiting_clarification, awaiting_fee")
    ],
    on: On = None,
    by: By = None,
) -> None:
    """Stop the clock while waiting for the requester (ID, a fee, or clarification)."""
    wanted = reason.strip().lower().replace("-", "_")
    try:
        pause_reason = PauseReason(
            wanted if wanted.startswith("awaiting_") else f"awaiting_{wanted}"
        )
    except ValueError:
        raise fail(
            f"{reason!r} is not a statutory reason (awaiting_id, awaiting_clarification, "
            "awaiting_fee); internal holds such as legal advice or staff absence do not stop "
            "the clock: record one with `privacybot tickets hold REF REASON`",
            2,
        ) from None
    with request_service() as service:
        view = service.pause(
            reference, pause_reason, actor=acting_staff(by), on=optional_date(on, "--on")
        )
    say(summary(view))
    _say_if_late(service, view)


def _say_if_late(service: RequestService, view: TicketView) -> None:
    """ID or a fee asked for after the due date: say that the request stays late."""
    if view.late_restart:
        say(service.messages.late_restart(view.reference, view.due_date))


def tickets_hold(reference: Reference, reason: str, by: By = None) -> None:
    """Note an internal hold (legal advice, staff absence): the clock keeps running."""
    with request_service() as service:
        view = service.record_hold(reference, reason, actor=acting_staff(by))
    say(f"{summary(view)}; hold noted, the clock keeps running")


def tickets_resume(reference: Reference, on: On = None, by: By = None) -> None:
    """Restart the clock: what the school was waiting for arrived (on --on, default today)."""
    with request_service() as service:
        view = service.resume(reference, actor=acting_staff(by), on=optional_date(on, "--on"))
    say(summary(view))


def tickets_request_id(reference: Reference, on: On = None, by: By = None) -> None:
    """Record that ID was asked for; the month starts again when it arrives."""
    with request_service() as service:
        view = service.request_id(reference, actor=acting_staff(by), on=optional_date(on, "--on"))
    say(summary(view))
    _say_if_late(service, view)


def tickets_id_received(reference: Reference, on: On = None, by: By = None) -> None:
    """Record that the requested ID arrived and was checked (by you, or --by)."""
    with request_service() as service:
        view = service.id_received(reference, actor=acting_staff(by), on=optional_date(on, "--on"))
    say(summary(view))


def tickets_id_not_needed(
    reference: Reference,
    reason: Annotated[str, typer.Option(help="Why the school is sure who is asking.")],
    by: By = None,
) -> None:
    """Record why no ID is asked for."""
    with request_service() as service:
        view = service.id_not_needed(reference, reason, actor=acting_staff(by))
    say(f"{summary(view)}; reason for not asking for ID recorded")


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
    with request_service() as service:
        view = service.extend(
            reference, reason, actor=acting_staff(by), told_on=optional_date(told, "--told")
        )
    say(summary(view))


def tickets_close(
    reference: Reference,
    outcome: Annotated[str, typer.Argument(help=", ".join(o.value for o in Outcome))],
    reason: Annotated[str | None, typer.Option(help="Required for a refusal.")] = None,
    by: By = None,
) -> None:
    """Close a ticket with its outcome."""
    result = choice(Outcome, outcome, "an outcome")
    with request_service() as service:
        view = service.close(reference, result, actor=acting_staff(by), reason=reason)
    on_time = "on time" if view.on_time(london_now().date()) else "late"
    say(f"{view.reference}: closed ({result.value}), {on_time}")
    if result is Outcome.REFUSED:
        console.print(
            "Tell the requester the reasons and that they can complain to the ICO "
            "(ico.org.uk/make-a-complaint) or go to court."
        )


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
}
