"""Letters from a ticket's page: write the one paragraph that varies, preview, then send.

The preview is the letter exactly as it will go out (rendered from answers/letters/), so staff
read every word before the requester does. Sending goes through Correspondence, which moves the
clock as the law says and keeps the text on the ticket.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from bot.console.accounts import StaffMember
from bot.console.auth import ConsoleRoute, Gate, require_record_keeper
from bot.console.forms import Form
from bot.console.triage import NoSuchPage
from bot.console.views import NO_STORE, PREFIX, Pages
from bot.storage.engine import transaction
from bot.storage.requester_tables import RequesterLetter
from bot.storage.tables import Ticket, TicketError
from bot.tickets.acknowledgements import email_address
from bot.tickets.correspondence import RECORD_KEEPERS_ONLY, Correspondence, LetterKind
from bot.tickets.service import RequestService, TicketNotFound, TicketView
from bot.tickets.service import _view as ticket_view


def letters_router(
    gate: Gate, pages: Pages, requests: RequestService, correspondence: Correspondence
) -> APIRouter:
    router = APIRouter(
        prefix=f"{PREFIX}/tickets/{{reference}}/letters",
        include_in_schema=False,
        route_class=ConsoleRoute,
    )

    def ticket_of(reference: str) -> TicketView:
        wanted = reference.strip().upper()
        with transaction(requests.sessions) as session:
            found = session.scalar(select(Ticket).where(Ticket.reference == wanted))
            if found is None:
                raise NoSuchPage(f"there is no ticket {wanted}")
            return ticket_view(found)

    def letters_page(
        request: Request,
        staff: StaffMember,
        ticket: TicketView,
        *,
        drafts: dict[str, str] | None = None,
        done: str | None = None,
        problem: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        return pages.render(
            request,
            "letters.html",
            staff=staff,
            status=status,
            section="tickets",
            ticket=ticket,
            offered=correspondence.offered(ticket),
            catalogue=correspondence.catalogue,
            emailed=email_address(ticket.requester_contact) is not None,
            sent=sent_letters(requests, ticket.reference),
            drafts=drafts or {},
            done=done,
            problem=problem,
        )

    @router.get("", name="console_letters")
    def letters(
        request: Request,
        reference: str,
        staff: StaffMember = Depends(gate.staff),
        sent: str | None = None,
    ) -> HTMLResponse:
        ticket = ticket_of(reference)
        title = correspondence.catalogue.get(sent or "", {}).get("title")
        return letters_page(request, staff, ticket, done=f"Done: {title}." if title else None)

    @router.post("", name="console_letters_redraft")
    def redraft(
        request: Request,
        reference: str,
        staff: StaffMember = Depends(gate.staff),
        form: Form = Depends(gate.form),
    ) -> HTMLResponse:
        drafts = {kind.value: form.get(kind.value) or "" for kind in LetterKind}
        return letters_page(request, staff, ticket_of(reference), drafts=drafts)

    @router.post("/{kind}/preview", name="console_letter_preview")
    def preview(
        request: Request,
        reference: str,
        kind: str,
        staff: StaffMember = Depends(gate.staff),
        form: Form = Depends(gate.form),
    ) -> HTMLResponse:
        ticket, chosen = ticket_of(reference), _kind(kind)
        message = form.get("message") or ""
        try:
            letter = correspondence.preview(ticket, chosen, message)
        except TicketError as error:
            drafts = {chosen.value: message}
            return letters_page(
                request, staff, ticket, drafts=drafts, problem=str(error), status=400
            )
        entry = correspondence.catalogue[chosen.value]
        return pages.render(
            request,
            "letter_preview.html",
            staff=staff,
            section="tickets",
            ticket=ticket,
            kind=chosen.value,
            entry=entry,
            effect=entry.get("effect"),
            letter=letter,
            message=message,
            emailed=email_address(ticket.requester_contact) is not None,
        )

    @router.post("/{kind}/send", name="console_letter_send")
    async def send(
        request: Request,
        reference: str,
        kind: str,
        staff: StaffMember = Depends(gate.staff),
        form: Form = Depends(gate.form),
    ) -> Response:
        chosen = _kind(kind)
        if chosen in RECORD_KEEPERS_ONLY:
            require_record_keeper(staff, "refuse a request")
        ticket = await run_in_threadpool(ticket_of, reference)
        message = form.get("message") or ""
        try:
            await run_in_threadpool(correspondence.send, ticket, chosen, message, actor=staff.email)
        except TicketNotFound as error:
            raise NoSuchPage(str(error)) from error
        except TicketError as error:
            drafts, problem = {chosen.value: message}, str(error)
            return await run_in_threadpool(
                lambda: letters_page(
                    request, staff, ticket, drafts=drafts, problem=problem, status=400
                )
            )
        where = f"{PREFIX}/tickets/{quote(ticket.reference)}/letters?sent={chosen.value}"
        return RedirectResponse(where, status_code=303, headers=NO_STORE)

    return router


def _kind(value: str) -> LetterKind:
    try:
        return LetterKind(value)
    except ValueError as error:
        raise NoSuchPage(f"there is no letter {value!r}") from error


def sent_letters(requests: RequestService, reference: str) -> list[RequesterLetter]:
    with transaction(requests.sessions) as session:
        rows = session.scalars(
            select(RequesterLetter)
            .join(Ticket, Ticket.id == RequesterLetter.ticket_id)
            .where(Ticket.reference == reference, RequesterLetter.state.in_(("sent", "failed")))
            .order_by(RequesterLetter.id)
        ).all()
        session.expunge_all()
        return list(rows)
