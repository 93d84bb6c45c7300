"""Letters from a ticket's page: write the one paragraph that varies, preview, then send.

The preview is the letter exactly as it will go out (rendered from answers/letters/), so staff
read every word before the requester does. Sending goes through Correspondence, which moves the
clock as the law says and keeps the text on the ticket.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from bot.console.accounts import StaffMember
from bot.console.auth import BadToken, ConsoleRoute, Gate, require_record_keeper
from bot.console.forms import Form
from bot.console.session import CSRF_FIELD
from bot.console.triage import NoSuchPage
from bot.console.views import NO_STORE, PREFIX, Pages, capitalised
from bot.rules.lifecycle import TicketError
from bot.tickets.acknowledgements import email_address
from bot.tickets.correspondence import RECORD_KEEPERS_ONLY, Correspondence, LetterKind
from bot.tickets.delivery import Deliveries
from bot.tickets.files import MAX_BYTES, Files
from bot.tickets.service import RequestService, TicketNotFound, TicketView
from bot.web.downloads import DOWNLOAD_PATH

# Where staff add a document to a ticket: the body limit lets a whole document through here.
UPLOAD_SUFFIX = "/letters/files"


@dataclass(frozen=True)
class ResponseTools:
    """What sending the response needs besides letters: the files and the secure links."""

    files: Files
    deliveries: Deliveries
    public_url: str | None


def letters_router(
    gate: Gate,
    pages: Pages,
    requests: RequestService,
    correspondence: Correspondence,
    tools: ResponseTools,
) -> APIRouter:
    router = APIRouter(
        prefix=f"{PREFIX}/tickets/{{reference}}/letters",
        include_in_schema=False,
        route_class=ConsoleRoute,
    )
    desk = _LetterDesk(pages, requests, correspondence, tools)
    _add_drafting_routes(router, gate, desk)
    _add_sending_route(router, gate, desk)
    _add_file_routes(router, gate, desk)
    _add_delivery_routes(router, gate, desk)
    return router


@dataclass(frozen=True)
class _LetterDesk:
    """What every letters route shares: finding the ticket and drawing its letters page."""

    pages: Pages
    requests: RequestService
    correspondence: Correspondence
    tools: ResponseTools

    def ticket_of(self, reference: str) -> TicketView:
        try:
            return self.requests.view(reference)
        except TicketNotFound as error:
            raise NoSuchPage("not_found.ticket", reference=reference.strip().upper()) from error

    def page(
        self,
        request: Request,
        staff: StaffMember,
        ticket: TicketView,
        *,
        drafts: dict[str, str] | None = None,
        done: str | None = None,
        problem: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        tools = self.tools
        return self.pages.render(
            request,
            "letters.html",
            staff=staff,
            status=status,
            section="tickets",
            ticket=ticket,
            offered=self.correspondence.offered(ticket),
            catalogue=self.correspondence.catalogue,
            emailed=email_address(ticket.requester_contact) is not None,
            sent=self.correspondence.sent_so_far(ticket.reference),
            files=tools.files.of_ticket(ticket.reference),
            checklist=tools.deliveries.checklist,
            checked=tools.deliveries.checked_by(ticket.reference),
            links=tools.deliveries.links(ticket.reference),
            drafts=drafts or {},
            done=done,
            # The service's refusals start in lower case, for the CLI's "error:" prefix.
            problem=capitalised(problem) if problem else None,
        )

    async def did(
        self,
        request: Request,
        staff: StaffMember,
        ticket: TicketView,
        what: str,
        work: Callable[[], object],
    ) -> Response:
        """Run `work` and come back to the letters page saying `what` was done, or why not."""
        try:
            await run_in_threadpool(work)
        except TicketError as error:
            problem = str(error)
            return await run_in_threadpool(
                lambda: self.page(request, staff, ticket, problem=problem, status=400)
            )
        return _done_redirect(ticket, what)


def _done_redirect(ticket: TicketView, what: str) -> Response:
    where = f"{PREFIX}/tickets/{quote(ticket.reference)}/letters?sent={what}"
    return RedirectResponse(where, status_code=303, headers=NO_STORE)


def _add_drafting_routes(router: APIRouter, gate: Gate, desk: _LetterDesk) -> None:
    catalogue, done_words = desk.correspondence.catalogue, desk.correspondence.done_words

    @router.get("", name="console_letters")
    def letters(
        request: Request,
        reference: str,
        staff: StaffMember = Depends(gate.staff),
        sent: str | None = None,
    ) -> HTMLResponse:
        ticket = desk.ticket_of(reference)
        title = catalogue.get(sent or "", {}).get("title") or done_words.get(sent or "")
        done = desk.pages.phrases.say("done.letter", title=title) if title else None
        return desk.page(request, staff, ticket, done=done)

    @router.post("", name="console_letters_redraft")
    def redraft(
        request: Request,
        reference: str,
        staff: StaffMember = Depends(gate.staff),
        form: Form = Depends(gate.form),
    ) -> HTMLResponse:
        drafts = {kind.value: form.get(kind.value) or "" for kind in LetterKind}
        return desk.page(request, staff, desk.ticket_of(reference), drafts=drafts)

    @router.post("/{kind}/preview", name="console_letter_preview")
    def preview(
        request: Request,
        reference: str,
        kind: str,
        staff: StaffMember = Depends(gate.staff),
        form: Form = Depends(gate.form),
    ) -> HTMLResponse:
        ticket, chosen = desk.ticket_of(reference), _kind(kind)
        message = form.get("message") or ""
        try:
            letter = desk.correspondence.preview(ticket, chosen, message)
        except TicketError as error:
            drafts = {chosen.value: message}
            return desk.page(request, staff, ticket, drafts=drafts, problem=str(error), status=400)
        entry = catalogue[chosen.value]
        return desk.pages.render(
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


def _add_sending_route(router: APIRouter, gate: Gate, desk: _LetterDesk) -> None:
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
            require_record_keeper(staff, "refuse")
        ticket = await run_in_threadpool(desk.ticket_of, reference)
        message = form.get("message") or ""
        try:
            await run_in_threadpool(
                desk.correspondence.send, ticket, chosen, message, actor=staff.email
            )
        except TicketNotFound as error:
            raise NoSuchPage("not_found.ticket", reference=ticket.reference) from error
        except TicketError as error:
            drafts, problem = {chosen.value: message}, str(error)
            refused = partial(desk.page, request, staff, ticket, drafts=drafts, problem=problem)
            return await run_in_threadpool(refused, status=400)
        return _done_redirect(ticket, chosen.value)


def _add_file_routes(router: APIRouter, gate: Gate, desk: _LetterDesk) -> None:
    files = desk.tools.files

    @router.post("/files", name="console_add_file")
    async def add_file(
        request: Request, reference: str, staff: StaffMember = Depends(gate.staff)
    ) -> Response:
        # A multipart form: its CSRF token is checked here, as Gate.form reads only plain forms.
        async with request.form() as form:
            session = gate.cookies.read(request)
            token = form.get(CSRF_FIELD)
            if session is None or not session.accepts(token if isinstance(token, str) else None):
                raise BadToken
            upload = form.get("document")
            data = await upload.read(MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
            name = upload.filename or "" if isinstance(upload, UploadFile) else ""
        ticket = await run_in_threadpool(desk.ticket_of, reference)
        if not data:
            return desk.page(
                request,
                staff,
                ticket,
                problem=desk.pages.phrases.say("problems.choose_file"),
                status=400,
            )
        add = partial(files.add, ticket.reference, name, data, source="staff", actor=staff.email)
        return await desk.did(request, staff, ticket, "file", add)

    @router.get("/files/{file_id}", name="console_file")
    def read_file(
        reference: str, file_id: int, staff: StaffMember = Depends(gate.staff)
    ) -> Response:
        try:
            stored, data = files.read(reference, file_id)
        except TicketNotFound as error:
            wanted = reference.strip().upper()
            raise NoSuchPage("not_found.file", file=file_id, reference=wanted) from error
        return Response(
            data,
            media_type=stored.content_type,
            headers={"Content-Disposition": "attachment", **NO_STORE},
        )


def _add_delivery_routes(router: APIRouter, gate: Gate, desk: _LetterDesk) -> None:
    deliveries = desk.tools.deliveries

    @router.post("/checks", name="console_redaction_checks")
    async def confirm_checks(
        request: Request,
        reference: str,
        staff: StaffMember = Depends(gate.staff),
        form: Form = Depends(gate.form),
    ) -> Response:
        require_record_keeper(staff, "redaction_checks")
        ticket = await run_in_threadpool(desk.ticket_of, reference)
        ticked = {item for item in deliveries.checklist if form.get(f"check-{item}")}
        confirm = partial(deliveries.confirm_checks, ticket.reference, ticked, actor=staff.email)
        return await desk.did(request, staff, ticket, "checks", confirm)

    @router.post("/link", name="console_send_link")
    async def send_link(
        request: Request,
        reference: str,
        staff: StaffMember = Depends(gate.staff),
        form: Form = Depends(gate.form),
    ) -> Response:
        ticket = await run_in_threadpool(desk.ticket_of, reference)
        message = (form.get("message") or "").strip()
        base = desk.tools.public_url or str(request.base_url).rstrip("/")
        if not message:
            problem = desk.pages.phrases.say("problems.no_paragraph")
            refused = partial(desk.page, request, staff, ticket, problem=problem, status=400)
            return await run_in_threadpool(refused)

        def work() -> None:
            token = deliveries.create_link(ticket.reference, actor=staff.email)
            paragraph = desk.correspondence.link_paragraph(f"{base}{DOWNLOAD_PATH}/{token}")
            desk.correspondence.send(
                ticket, LetterKind.RESPONSE_COVER, f"{message}\n\n{paragraph}", actor=staff.email
            )

        return await desk.did(request, staff, ticket, "link", work)

    @router.post("/links/{link_id}/revoke", name="console_revoke_link")
    async def revoke(
        request: Request,
        reference: str,
        link_id: int,
        staff: StaffMember = Depends(gate.staff),
        form: Form = Depends(gate.form),
    ) -> Response:
        ticket = await run_in_threadpool(desk.ticket_of, reference)
        revoke = partial(deliveries.revoke, ticket.reference, link_id, actor=staff.email)
        return await desk.did(request, staff, ticket, "revoked", revoke)


def _kind(value: str) -> LetterKind:
    try:
        return LetterKind(value)
    except ValueError as error:
        raise NoSuchPage("not_found.letter", letter=value) from error
