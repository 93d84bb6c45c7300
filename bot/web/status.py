"""The requester's status page: a reference and an email address, a code by email, then progress.

Nothing about a request is shown without the one-time code, and every answer before it is the
same whether or not the reference exists, so the page cannot be used to find out who asked. The
code is emailed in the background after the page has answered, so timing tells nothing either.
A good code gives a signed cookie for half an hour, bound to that one request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from bot.console.forms import Form
from bot.rules.lifecycle import Status, TicketError
from bot.storage.engine import StorageUnavailable
from bot.tickets.access_codes import AccessCodes, Check, RequesterStatus
from bot.tickets.files import MAX_BYTES, Files
from bot.tickets.letters import Letters, long_date
from bot.tickets.mailer import Mailer, MailFailed
from bot.tickets.service import InvalidChange, RequestService, TicketView
from bot.web.opened_cookie import OpenedCookie
from bot.web.ratelimit import RateLimiter

log = logging.getLogger(__name__)

STATUS_PATH = "/requests/status"
# Per client address, per window: enough for a person who mistypes, too few to guess codes.
_TRIES_PER_ADDRESS = 10
_WINDOW_SECONDS = 15 * 60
_NO_STORE = {"Cache-Control": "no-store"}
# Who the timeline names for what the requester does on this page.
REQUESTER = "requester (status page)"


@dataclass
class StatusPage:
    codes: AccessCodes
    letters: Letters
    mailer: Mailer | None
    limiter: RateLimiter
    secret: str
    facts: Mapping[str, Any]
    words: Mapping[str, Any]
    templates: jinja2.Environment
    kinds: Mapping[str, Any]
    files: Files
    requests: RequestService

    def render(
        self, request: Request, step: str, http_status: int = 200, **values: Any
    ) -> Response:
        html = self.templates.get_template("status.html").render(
            step=step,
            words=self.words,
            facts=self.facts,
            action=STATUS_PATH,
            css_url=request.url_for("static", path="status.css").path,
            long_date=long_date,
            **values,
        )
        return HTMLResponse(html, status_code=http_status, headers=_NO_STORE)

    async def too_fast(self, request: Request) -> bool:
        client = request.client.host if request.client else "unknown"
        wait = await self.limiter.hit(f"status:{client}", _TRIES_PER_ADDRESS, _WINDOW_SECONDS)
        return wait is not None

    def send_code(self, reference: str, email: str) -> None:
        issued = self.codes.issue(reference, email)
        if issued is None or self.mailer is None:
            return
        address, code, ticket = issued
        letter = self.letters.write("access_code", ticket, code=code)
        try:
            self.mailer.send(address, letter.subject, letter.body)
        except MailFailed as error:
            log.warning("status code for %s not sent: %s", ticket.reference, error)

    def receive_id(self, ticket: TicketView, name: str, data: bytes) -> None:
        """ID from the requester: kept encrypted on the ticket, and the month starts again today."""
        if ticket.status is not Status.AWAITING_ID:
            raise InvalidChange(self.words["not_waiting_for_id"])
        self.files.add(ticket.reference, name, data, source="requester", actor=REQUESTER)
        self.requests.id_received(ticket.reference, actor=REQUESTER)

    def receive_reply(self, ticket: TicketView, answer: str) -> None:
        """The requester's clarification: kept as a note, and the clock runs again from today."""
        if ticket.status is not Status.AWAITING_CLARIFICATION:
            raise InvalidChange(self.words["not_waiting"])
        text = f"{self.words['reply_heading']} ({REQUESTER}): {answer[:5_000]}"
        self.requests.add_note(ticket.reference, text, actor=REQUESTER)
        self.requests.resume(ticket.reference, actor=REQUESTER)

    def cookie(self) -> OpenedCookie:
        return OpenedCookie(
            "privacybot_request", STATUS_PATH, "privacybot-request-status", self.secret
        )


def status_router(page: StatusPage) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    _add_opening_routes(router, page)
    _add_open_request_routes(router, page)
    return router


def _add_opening_routes(router: APIRouter, page: StatusPage) -> None:
    """Ask for a code by reference and email, then open the request with it."""

    @router.get(STATUS_PATH, response_class=HTMLResponse)
    async def ask(request: Request) -> Response:
        return page.render(request, "ask")

    @router.post(STATUS_PATH, response_class=HTMLResponse)
    async def request_code(request: Request) -> Response:
        form = await Form.read(request)
        reference, email = (form.get("reference") or "").strip(), (form.get("email") or "").strip()
        if not reference or not email:
            return page.render(request, "ask", 400, problem=page.words["missing"])
        if await page.too_fast(request):
            return page.render(request, "ask", 429, problem=page.words["slow_down"])
        # The same answer at once for every reference; the work happens after it has gone.
        task = asyncio.get_running_loop().run_in_executor(None, page.send_code, reference, email)
        task.add_done_callback(log_failure)
        return page.render(request, "code", reference=reference)

    @router.post(f"{STATUS_PATH}/code", response_class=HTMLResponse)
    async def open_request(request: Request) -> Response:
        form = await Form.read(request)
        reference, code = (form.get("reference") or "").strip(), (form.get("code") or "").strip()
        if await page.too_fast(request):
            return page.render(
                request, "code", 429, reference=reference, problem=page.words["slow_down"]
            )
        try:
            outcome, ticket_id = await run_in_threadpool(page.codes.check, reference, code)
        except StorageUnavailable:
            return page.render(request, "ask", 503, problem=page.words["unavailable"])
        if outcome is not Check.OPENED or ticket_id is None:
            problem = page.words["too_many" if outcome is Check.TOO_MANY else "wrong_code"]
            return page.render(request, "code", 400, reference=reference, problem=problem)
        response = RedirectResponse(f"{STATUS_PATH}/view", status_code=303)
        page.cookie().give(response, request, ticket_id)
        return response


def _add_open_request_routes(router: APIRouter, page: StatusPage) -> None:
    """What a requester with an opened request sees and can send: ID, an answer; then leave."""

    @router.get(f"{STATUS_PATH}/view", response_class=HTMLResponse)
    async def view(request: Request, done: str | None = None) -> Response:
        ticket_id = page.cookie().read(request)
        status = await run_in_threadpool(page.codes.status, ticket_id) if ticket_id else None
        if status is None:
            return RedirectResponse(STATUS_PATH, status_code=303)
        message = page.words.get(done or "") if done in ("id_received", "reply_received") else None
        kind = page.kinds[status.ticket.kind.value]
        return page.render(request, "view", status=status, kind=kind, done=message)

    @router.post(f"{STATUS_PATH}/id")
    async def send_id(request: Request) -> Response:
        ticket_id = page.cookie().read(request)
        status = await run_in_threadpool(page.codes.status, ticket_id) if ticket_id else None
        if status is None:
            return RedirectResponse(STATUS_PATH, status_code=303)
        async with request.form() as form:
            upload = form.get("document")
            if not isinstance(upload, UploadFile):
                return await _view_with(page, request, status, page.words["missing"], 400)
            data = await upload.read(MAX_BYTES + 1)
        try:
            await run_in_threadpool(page.receive_id, status.ticket, upload.filename or "", data)
        except TicketError as error:
            problem = page.words["file_problem"].replace("{problem}", str(error))
            return await _view_with(page, request, status, problem, 400)
        return RedirectResponse(f"{STATUS_PATH}/view?done=id_received", status_code=303)

    @router.post(f"{STATUS_PATH}/reply")
    async def reply(request: Request) -> Response:
        ticket_id = page.cookie().read(request)
        status = await run_in_threadpool(page.codes.status, ticket_id) if ticket_id else None
        if status is None:
            return RedirectResponse(STATUS_PATH, status_code=303)
        answer = ((await Form.read(request)).get("answer") or "").strip()
        if not answer:
            return await _view_with(page, request, status, page.words["missing"], 400)
        try:
            await run_in_threadpool(page.receive_reply, status.ticket, answer)
        except TicketError as error:
            return await _view_with(page, request, status, str(error), 400)
        return RedirectResponse(f"{STATUS_PATH}/view?done=reply_received", status_code=303)

    @router.post(f"{STATUS_PATH}/done")
    async def done() -> Response:
        response = RedirectResponse(STATUS_PATH, status_code=303)
        page.cookie().forget(response)
        return response


async def _view_with(
    page: StatusPage, request: Request, status: RequesterStatus, problem: str, code: int
) -> Response:
    kind = page.kinds[status.ticket.kind.value]
    return page.render(request, "view", code, status=status, kind=kind, problem=problem)


def log_failure(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("status code not sent: %s", type(task.exception()).__name__)


def build_status_page(
    *,
    codes: AccessCodes,
    answers_dir: Path,
    facts: Mapping[str, Any],
    mailer: Mailer | None,
    limiter: RateLimiter,
    secret: str,
    templates_dir: Path,
    files: Files,
    requests: RequestService,
) -> StatusPage:
    words = yaml.safe_load((answers_dir / "status.yaml").read_text(encoding="utf-8"))
    kinds = yaml.safe_load((answers_dir / "letters" / "kinds.yaml").read_text(encoding="utf-8"))
    templates = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return StatusPage(
        codes=codes,
        letters=Letters(answers_dir, facts),
        mailer=mailer,
        limiter=limiter,
        secret=secret,
        facts=facts,
        words=words,
        templates=templates,
        kinds=kinds,
        files=files,
        requests=requests,
    )
