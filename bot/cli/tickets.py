"""`privacybot tickets`: list, show, log and export tickets; the working commands are beside."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from bot.cli import working
from bot.cli.common import By, Cli, Reference, console
from bot.rules.clock import london_now
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Relationship, RequestChannel, Status
from bot.tickets.export import csv_chunks
from bot.tickets.service import NewRequest, TicketDetail, TicketFilter, TicketView

tickets_app = typer.Typer(help="Triage logged data-protection requests.", no_args_is_help=True)

DUE_SOON_DAYS = 7
LIST_PAGE = 50
_LIST_COLUMNS = ("reference", "kind", "received", "status", "assignee", "due", "clock")


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
    limit: Annotated[int, typer.Option("--limit", min=1, help="Tickets per page.")] = LIST_PAGE,
    page: Annotated[int, typer.Option("--page", min=1, help="Which page to show.")] = 1,
) -> None:
    """List tickets, soonest due first (no requester details, so it is not audited as a view)."""
    cli = Cli.start()
    filters = TicketFilter(
        status=cli.choice(Status, status, "status") if status else None,
        kind=cli.choice(TicketKind, kind, "kind") if kind else None,
        overdue=overdue,
        due_within_days=due_within,
        assignee=assignee,
        include_closed=include_closed,
    )
    with cli.requests() as service:
        # Paged in SQL: a trust's whole list never loads to show one screen of it.
        found = service.page_tickets(filters, limit=limit, offset=(page - 1) * limit)
        today = london_now().date()
    if not found.tickets:
        if found.total == 0:
            cli.say("list.none")
        else:
            cli.say("list.past_end", page=page)
        return
    _print_list(cli, found.tickets, today)
    shown = f"{found.offset + 1}-{found.offset + len(found.tickets)}"
    if found.total > len(found.tickets):
        more = found.offset + len(found.tickets) < found.total
        cli.say("list.shown_more" if more else "list.shown", shown=shown, total=found.total)


def _print_list(cli: Cli, tickets: Sequence[TicketView], today: date) -> None:
    table = Table()
    heading = {name: Text(cli.text(f"list.{name}")) for name in _LIST_COLUMNS}
    # References and dates are never cut short, however narrow the terminal.
    table.add_column(heading["reference"], no_wrap=True, min_width=13)
    table.add_column(heading["kind"])
    table.add_column(heading["received"], no_wrap=True, min_width=10)
    table.add_column(heading["status"])
    table.add_column(heading["assignee"])
    table.add_column(heading["due"], no_wrap=True, min_width=10)
    table.add_column(heading["clock"])
    for ticket in tickets:
        table.add_row(
            ticket.reference,
            ticket.kind.value,
            ticket.received_on.isoformat(),
            ticket.status.value,
            Text(ticket.assignee or ""),
            *_due_cells(cli, ticket, today),
        )
    console.print(table)


def _due_cells(cli: Cli, ticket: TicketView, today: date) -> tuple[Text, Text]:
    """Return the due date and the clock, red when overdue, yellow when due within a week."""
    due = ticket.due_date.isoformat()
    if ticket.closed:
        return Text(due), Text(cli.text("list.closed"))
    if ticket.paused:
        # The date moves when the requester answers, so it is shown but not counted down.
        return Text(due, style="dim"), Text(cli.text("list.paused"), style="cyan")
    left = ticket.days_left(today)
    if left < 0:
        overdue = cli.words.say_counted("list.overdue", -left, days=-left)
        return Text(due, style="bold red"), Text(overdue, style="bold red")
    style = "yellow" if left <= DUE_SOON_DAYS else ""
    return Text(due, style=style), Text(
        cli.words.say_counted("list.left", left, days=left), style=style
    )


@tickets_app.command("show")
def tickets_show(reference: Reference, by: By = None) -> None:
    """Show every field of a ticket and its timeline (recorded in the audit trail as a view)."""
    cli = Cli.start()
    with cli.requests() as service:
        detail = service.get(reference, actor=cli.acting(by))
        label = service.messages.kind_label(detail.ticket.kind)
    fields = Table(show_header=False, box=None)
    fields.add_column(style="bold")
    fields.add_column(overflow="fold")
    for name, value in _fields(cli, detail, label):
        fields.add_row(Text(cli.text(f"show.{name}")), Text("" if value is None else str(value)))
    console.print(fields)
    for pause in detail.pauses:
        until = pause.ended or cli.text("show.pause_now")
        reason, started, by_whom = pause.reason, pause.started, pause.by
        cli.say("show.pause", reason=reason, started=started, until=until, by=by_whom)
    console.print(_timeline(cli, detail))


def _fields(cli: Cli, detail: TicketDetail, label: str) -> list[tuple[str, object]]:
    """Each field's key in answers/cli.yaml (under show) and its value."""
    ticket = detail.ticket
    logged = cli.text(
        "show.logged_by", at=ticket.logged_at.isoformat(timespec="minutes"), by=ticket.logged_by
    )
    about = cli.text(
        "show.child" if ticket.subject_is_child else "show.adult", name=ticket.subject_name
    )
    due = cli.text("show.due_paused", due=ticket.due_date) if ticket.paused else ticket.due_date
    extended = (
        cli.text("show.extended_yes", reason=ticket.extension_reason)
        if ticket.extended
        else cli.text("show.extended_no")
    )
    return [
        ("reference", ticket.reference),
        ("kind", f"{ticket.kind.value} ({label})"),
        ("channel", ticket.channel.value),
        ("received", ticket.received_at.isoformat(timespec="minutes")),
        ("logged", logged),
        ("requester", ticket.requester_name),
        ("contact", ticket.requester_contact),
        ("relationship", ticket.requester_relationship.value),
        ("about", about),
        ("request", ticket.request_text),
        ("status", ticket.status.value),
        ("assignee", ticket.assignee),
        ("due", due),
        ("extended", extended),
        ("extension_told", ticket.extension_told_on),
        ("id_asked", ticket.id_requested_on),
        ("id_received", ticket.id_received_on),
        ("id_verified_by", ticket.id_verified_by),
        ("id_not_needed", ticket.id_not_needed_reason),
        ("outcome", ticket.outcome.value if ticket.outcome else None),
        ("outcome_reason", ticket.outcome_reason),
        ("closed", ticket.closed_at.isoformat(timespec="minutes") if ticket.closed_at else None),
        ("conversation", ticket.conversation_id),
    ]


def _timeline(cli: Cli, detail: TicketDetail) -> Table:
    """The audit events and the notes, in the order they happened."""
    timeline = Table(title=Text(cli.text("show.timeline")))
    for column in ("when", "who", "what", "detail"):
        timeline.add_column(Text(cli.text(f"show.{column}")), overflow="fold")
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
        (note.at, note.author, cli.text("show.note", visibility=note.visibility.value), note.text)
        for note in detail.notes
    ]
    for at, who, what, text in sorted(entries, key=lambda entry: entry[0]):
        timeline.add_row(at.isoformat(timespec="minutes"), Text(who), Text(what), Text(text))
    return timeline


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
    cli = Cli.start()
    request = NewRequest(
        kind=cli.choice(TicketKind, kind, "kind"),
        channel=cli.choice(RequestChannel, channel, "channel"),
        received_at=cli.received(received),
        requester_name=requester,
        requester_contact=contact,
        requester_relationship=cli.choice(Relationship, relationship, "relationship"),
        subject_name=subject,
        subject_is_child=child,
        request_text=details,
    )
    with cli.requests() as service:
        view = service.log(request, actor=cli.acting(by))
        label = service.messages.kind_label(view.kind)
    cli.say("tickets.logged", reference=view.reference, label=label, due=view.due_date)


@tickets_app.command("export")
def tickets_export(
    file: Annotated[
        Path | None, typer.Argument(help="Write here instead of to the screen.")
    ] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV, the only format.")] = True,
    by: By = None,
) -> None:
    """Export the request log (how each request was dealt with), without requesters' details."""
    cli = Cli.start()
    written = 0

    def counted(rows: Iterator[dict[str, str]]) -> Iterator[dict[str, str]]:
        nonlocal written
        for row in rows:
            written += 1
            yield row

    with cli.requests() as service:
        # Streamed batch by batch: memory stays flat however long the log is.
        rows = counted(service.iter_export_rows(actor=cli.acting(by)))
        try:
            out = file.open("w", newline="", encoding="utf-8") if file else sys.stdout
        except OSError as error:
            raise cli.refuse("tickets.cannot_write", 1, file=file, reason=error.strerror) from error
        try:
            for chunk in csv_chunks(rows):
                out.write(chunk)
        finally:
            if file:
                out.close()
    if file:
        cli.say("tickets.written", count=written, file=file)


for _name, _command in working.COMMANDS.items():
    tickets_app.command(_name)(_command)
