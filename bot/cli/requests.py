"""`privacybot db`, `tickets` and `purge`: formal requests, worked from a terminal."""

from __future__ import annotations

import csv
import getpass
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from bot.config import ConfigError, Settings, load_settings
from bot.rules.deadlines import PauseReason, TicketKind, kind_label
from bot.storage.engine import (
    StorageUnavailable,
    current_revision,
    ensure_schema,
    head_revision,
    make_engine,
)
from bot.storage.tables import (
    LONDON,
    NoteVisibility,
    Outcome,
    Relationship,
    RequestChannel,
    Status,
    TicketError,
)
from bot.tickets.service import (
    EXPORT_COLUMNS,
    NewRequest,
    RequestService,
    TicketFilter,
    TicketView,
    london_now,
)

log = logging.getLogger(__name__)

tickets_app = typer.Typer(help="Triage logged data-protection requests.", no_args_is_help=True)
db_app = typer.Typer(help="Manage the ticket database.", no_args_is_help=True)

console = Console()
errors = Console(stderr=True)

E = TypeVar("E", bound=StrEnum)

DUE_SOON_DAYS = 7

By = Annotated[
    str | None,
    typer.Option("--by", help="Who is acting, for the audit trail (default: your login name)."),
]
On = Annotated[
    str | None, typer.Option("--on", help="The day it happened, YYYY-MM-DD (default: today).")
]
Reference = Annotated[str, typer.Argument(help="The ticket reference, e.g. SAR-2026-0042.")]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a one-line error and return the exit to raise (2: bad input, 1: could not do it)."""
    errors.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def settings_or_exit() -> Settings:
    """The settings, or a one-line error naming the bad one (exit 2)."""
    try:
        return load_settings()
    except ConfigError as error:
        raise fail(str(error), 2) from error


@contextmanager
def _service() -> Iterator[RequestService]:
    """Open the request service, turning every expected failure into a one-line error."""
    try:
        service = RequestService.from_settings(settings_or_exit())
    except ConfigError as error:
        raise fail(str(error), 2) from error
    except StorageUnavailable as error:
        log.error("%s", error)
        raise fail(str(error)) from error
    try:
        yield service
    except TicketError as error:
        raise fail(str(error)) from error
    except StorageUnavailable as error:
        log.error("%s", error)
        raise fail(str(error)) from error
    finally:
        service.dispose()


def acting_staff(by: str | None) -> str:
    """Who is acting, for the audit trail: --by, or the login name."""
    if by and by.strip():
        return by.strip()
    try:
        return getpass.getuser()
    except (OSError, KeyError) as error:  # no login name in some containers
        raise fail("cannot tell who you are; pass --by NAME", 2) from error


def _choice(enum: type[E], value: str, what: str) -> E:
    """Parse an enum value, forgiving case and hyphens, or fail naming the accepted values."""
    try:
        return enum(value.strip().lower().replace("-", "_"))
    except ValueError:
        accepted = ", ".join(member.value for member in enum)
        raise fail(f"{value!r} is not {what}; use one of: {accepted}", 2) from None


def _date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise fail(f"{what} {value!r} is not a date; write it as YYYY-MM-DD", 2) from None


def _optional_date(value: str | None, what: str) -> date | None:
    return None if value is None else _date(value, what)


def _received(value: str) -> datetime:
    """Parse a date (the start of that day in London) or a date and time (London if no zone)."""
    text = value.strip()
    try:
        return datetime.combine(date.fromisoformat(text), time(), LONDON)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise fail(
            f"received {value!r} is not a date; write YYYY-MM-DD or YYYY-MM-DDTHH:MM", 2
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)


def say(text: str) -> None:
    """Print plain text: names and notes are never read as rich markup."""
    console.print(text, highlight=False, markup=False, soft_wrap=True)


def _summary(view: TicketView) -> str:
    clock = " (clock paused)" if view.paused else ""
    return f"{view.reference}: {view.status}; due {view.due_date}{clock}"


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations (the server and CLI also do this when they start)."""
    settings = settings_or_exit()
    try:
        engine = make_engine(settings.resolved_database_url())
    except ConfigError as error:
        raise fail(str(error), 2) from error
    except StorageUnavailable as error:
        raise fail(str(error)) from error
    try:
        before = current_revision(engine)
        after = ensure_schema(engine)
    except StorageUnavailable as error:
        log.error("%s", error)
        raise fail(str(error)) from error
    finally:
        engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    if before == after:
        say(f"{where} is up to date (revision {after})")
    else:
        say(f"{where} upgraded from {before or 'empty'} to {after}")
    if after != head_revision():  # pragma: no cover - only if a migration misbehaves
        raise fail(f"expected revision {head_revision()}, found {after}")


@tickets_app.command("list")
def tickets_list(
    status: Annotated[str | None, typer.Option(help="Only this status (closed included).")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind of request.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue tickets.")] = False,
    due_within: Annotated[
        int | None, typer.Option("--due-within", min=0, help="Only those due within N days.")
    ] = None,
    assignee: Annotated[str | None, typer.Option(help="Only this assignee's tickets.")] = None,
    include_closed: Annotated[bool, typer.Option("--all", help="Include closed tickets.")] = False,
) -> None:
    """List tickets, soonest due first (no requester details, so it is not audited as a view)."""
    filters = TicketFilter(
        status=_choice(Status, status, "a status") if status else None,
        kind=_choice(TicketKind, kind, "a request kind") if kind else None,
        overdue=overdue,
        due_within_days=due_within,
        assignee=assignee,
        include_closed=include_closed,
    )
    with _service() as service:
        tickets = service.list_tickets(filters)
        today = london_now().date()
    if not tickets:
        console.print("no tickets match")
        return
    table = Table()
    # References and dates are never cut short, however narrow the terminal.
    table.add_column("reference", no_wrap=True, min_width=13)
    table.add_column("kind")
    table.add_column("received", no_wrap=True, min_width=10)
    table.add_column("status")
    table.add_column("assignee")
    table.add_column("due", no_wrap=True, min_width=10)
    table.add_column("clock")
    for ticket in tickets:
        table.add_row(
            ticket.reference,
            ticket.kind.value,
            ticket.received_on.isoformat(),
            ticket.status.value,
            Text(ticket.assignee or ""),
            *_due_cells(ticket, today),
        )
    console.print(table)


def _due_cells(ticket: TicketView, today: date) -> tuple[Text, Text]:
    """Return the due date and the clock, red when overdue, yellow when due within a week."""
    due = ticket.due_date.isoformat()
    if ticket.closed:
        return Text(due), Text("closed")
    if ticket.paused:
        # The date moves when the requester answers, so it is shown but not counted down.
        return Text(due, style="dim"), Text("paused", style="cyan")
    left = ticket.days_left(today)
    if left < 0:
        return Text(due, style="bold red"), Text(f"{-left} days overdue", style="bold red")
    if left <= DUE_SOON_DAYS:
        return Text(due, style="yellow"), Text(f"{left} days left", style="yellow")
    return Text(due), Text(f"{left} days left")


@tickets_app.command("show")
def tickets_show(reference: Reference, by: By = None) -> None:
    """Show every field of a ticket and its timeline (recorded in the audit trail as a view)."""
    with _service() as service:
        detail = service.get(reference, actor=acting_staff(by))
    ticket = detail.ticket
    fields = Table(show_header=False, box=None)
    fields.add_column(style="bold")
    fields.add_column(overflow="fold")
    rows: list[tuple[str, object]] = [
        ("reference", ticket.reference),
        ("kind", f"{ticket.kind.value} ({kind_label(ticket.kind)})"),
        ("channel", ticket.channel.value),
        ("received", ticket.received_at.isoformat(timespec="minutes")),
        ("logged", f"{ticket.logged_at.isoformat(timespec='minutes')} by {ticket.logged_by}"),
        ("requester", ticket.requester_name),
        ("contact", ticket.requester_contact),
        ("relationship", ticket.requester_relationship.value),
        ("about", f"{ticket.subject_name} ({'child' if ticket.subject_is_child else 'adult'})"),
        ("request", ticket.request_text),
        ("status", ticket.status.value),
        ("assignee", ticket.assignee),
        ("due", f"{ticket.due_date}{' (clock paused)' if ticket.paused else ''}"),
        ("extended", f"yes: {ticket.extension_reason}" if ticket.extended else "no"),
        ("extension told", ticket.extension_told_on),
        ("ID asked", ticket.id_requested_on),
        ("ID received", ticket.id_received_on),
        ("ID verified by", ticket.id_verified_by),
        ("ID not needed", ticket.id_not_needed_reason),
        ("outcome", ticket.outcome.value if ticket.outcome else None),
        ("outcome reason", ticket.outcome_reason),
        ("closed", ticket.closed_at.isoformat(timespec="minutes") if ticket.closed_at else None),
        ("conversation", ticket.conversation_id),
    ]
    for name, value in rows:
        fields.add_row(name, Text("" if value is None else str(value)))
    console.print(fields)
    for pause in detail.pauses:
        until = pause.ended or "now"
        say(f"clock pause: {pause.reason} from {pause.started} to {until} (by {pause.by})")
    timeline = Table(title="timeline")
    for column in ("when", "who", "what", "detail"):
        timeline.add_column(column, overflow="fold")
    entries: list[tuple[datetime, str, str, str]] = [
        (
            event.at,
            event.actor,
            event.action,
            f"{event.field}: {event.old_value or '-'} -> {event.new_value or '-'}"
            if event.field
            else "",
        )
        for event in detail.events
    ]
    entries += [
        (note.at, note.author, f"note ({note.visibility.value})", note.text)
        for note in detail.notes
    ]
    for at, who, what, text in sorted(entries, key=lambda entry: entry[0]):
        timeline.add_row(at.isoformat(timespec="minutes"), Text(who), what, Text(text))
    console.print(timeline)


@tickets_app.command("log")
def tickets_log(
    kind: Annotated[str, typer.Option(help="sar, educational_record, erasure, ...")],
    channel: Annotated[str, typer.Option(help="phone, letter, email, in_person, ...")],
    received: Annotated[str, typer.Option(help="When it was received: YYYY-MM-DD[THH:MM].")],
    requester: Annotated[str, typer.Option(help="The requester's name.")],
    contact: Annotated[str, typer.Option(help="How to reach them: email, phone or address.")],
    relationship: Annotated[
        str, typer.Option(help="parent, carer, pupil, staff, representative or other.")
    ],
    subject: Annotated[str, typer.Option(help="Whom the data is about.")],
    details: Annotated[str, typer.Option(help="What they asked for, in their words.")],
    child: Annotated[
        bool, typer.Option("--child/--adult", help="Whether the data subject is a child.")
    ],
    by: By = None,
) -> None:
    """Log a request that came by phone, letter, email or in person, with its real received date."""
    request = NewRequest(
        kind=_choice(TicketKind, kind, "a request kind"),
        channel=_choice(RequestChannel, channel, "a channel"),
        received_at=_received(received),
        requester_name=requester,
        requester_contact=contact,
        requester_relationship=_choice(Relationship, relationship, "a relationship"),
        subject_name=subject,
        subject_is_child=child,
        request_text=details,
    )
    with _service() as service:
        view = service.log(request, actor=acting_staff(by))
    say(f"logged {view.reference}: {kind_label(view.kind)}, due {view.due_date}")


@tickets_app.command("assign")
def tickets_assign(reference: Reference, name: str, by: By = None) -> None:
    """Give a ticket to NAME."""
    with _service() as service:
        view = service.assign(reference, name, actor=acting_staff(by))
    say(f"{_summary(view)}; assigned to {view.assignee}")


@tickets_app.command("note")
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
    with _service() as service:
        view = service.add_note(reference, text, actor=acting_staff(by), visibility=visibility)
    say(f"{view.reference}: {visibility.value} note added")


@tickets_app.command("pause")
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
    with _service() as service:
        view = service.pause(
            reference, pause_reason, actor=acting_staff(by), on=_optional_date(on, "--on")
        )
    say(_summary(view))


@tickets_app.command("hold")
def tickets_hold(reference: Reference, reason: str, by: By = None) -> None:
    """Note an internal hold (legal advice, staff absence): the clock keeps running."""
    with _service() as service:
        view = service.record_hold(reference, reason, actor=acting_staff(by))
    say(f"{_summary(view)}; hold noted, the clock keeps running")


@tickets_app.command("resume")
def tickets_resume(reference: Reference, on: On = None, by: By = None) -> None:
    """Restart the clock: what the school was waiting for arrived (on --on, default today)."""
    with _service() as service:
        view = service.resume(reference, actor=acting_staff(by), on=_optional_date(on, "--on"))
    say(_summary(view))


@tickets_app.command("request-id")
def tickets_request_id(reference: Reference, on: On = None, by: By = None) -> None:
    """Record that ID was asked for; the month starts again when it arrives."""
    with _service() as service:
        view = service.request_id(reference, actor=acting_staff(by), on=_optional_date(on, "--on"))
    say(_summary(view))


@tickets_app.command("id-received")
def tickets_id_received(reference: Reference, on: On = None, by: By = None) -> None:
    """Record that the requested ID arrived and was checked (by you, or --by)."""
    with _service() as service:
        view = service.id_received(reference, actor=acting_staff(by), on=_optional_date(on, "--on"))
    say(_summary(view))


@tickets_app.command("id-not-needed")
def tickets_id_not_needed(
    reference: Reference,
    reason: Annotated[str, typer.Option(help="Why the school is sure who is asking.")],
    by: By = None,
) -> None:
    """Record why no ID is asked for."""
    with _service() as service:
        view = service.id_not_needed(reference, reason, actor=acting_staff(by))
    say(f"{_summary(view)}; reason for not asking for ID recorded")


@tickets_app.command("extend")
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
    with _service() as service:
        view = service.extend(
            reference, reason, actor=acting_staff(by), told_on=_optional_date(told, "--told")
        )
    say(_summary(view))


@tickets_app.command("close")
def tickets_close(
    reference: Reference,
    outcome: Annotated[str, typer.Argument(help=", ".join(o.value for o in Outcome))],
    reason: Annotated[str | None, typer.Option(help="Required for a refusal.")] = None,
    by: By = None,
) -> None:
    """Close a ticket with its outcome."""
    result = _choice(Outcome, outcome, "an outcome")
    with _service() as service:
        view = service.close(reference, result, actor=acting_staff(by), reason=reason)
    on_time = "on time" if view.on_time(london_now().date()) else "late"
    say(f"{view.reference}: closed ({result.value}), {on_time}")
    if result is Outcome.REFUSED:
        console.print(
            "Tell the requester the reasons and that they can complain to the ICO "
            "(ico.org.uk/make-a-complaint) or go to court."
        )


@tickets_app.command("export")
def tickets_export(
    file: Annotated[
        Path | None, typer.Argument(help="Write here instead of to the screen.")
    ] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV, the only format.")] = True,
    by: By = None,
) -> None:
    """Export the request log (how each request was dealt with), without requesters' details."""
    with _service() as service:
        rows = service.export_rows(actor=acting_staff(by))
    try:
        out = file.open("w", newline="", encoding="utf-8") if file else sys.stdout
    except OSError as error:
        raise fail(f"cannot write {file}: {error.strerror}") from error
    try:
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    finally:
        if file:
            out.close()
    if file:
        say(f"{len(rows)} tickets written to {file}")


def purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be deleted, delete nothing.")
    ] = False,
    by: By = None,
) -> None:
    """Delete chat transcripts and closed tickets past their retention periods."""
    settings = settings_or_exit()
    with _service() as service:
        report = service.purge(
            actor=acting_staff(by),
            transcript_days=settings.transcript_retention_days,
            closed_ticket_days=settings.closed_ticket_retention_days,
            dry_run=dry_run,
        )
    verb = "would delete" if dry_run else "deleted"
    listed = f": {', '.join(report.tickets)}" if report.tickets else ""
    say(
        f"{verb} {len(report.tickets)} closed tickets (closed over "
        f"{settings.closed_ticket_retention_days} days ago){listed}"
    )
    say(
        f"{verb} {report.conversations} conversations, {report.turns} transcript lines and "
        f"{report.processed_messages} processed messages (older than "
        f"{settings.transcript_retention_days} days)"
    )
