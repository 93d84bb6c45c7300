"""The response's secure link: a code by email, then the files, each download audited.

The link alone opens nothing: the page emails a one-time code to the address the request was
made with, and only that code (within the link's life, until staff revoke it) shows the files.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.console.forms import Form
from bot.tickets.access_codes import Check
from bot.tickets.delivery import Deliveries, OpenDelivery
from bot.tickets.files import Files
from bot.tickets.letters import long_date
from bot.tickets.service import TicketNotFound
from bot.web.opened_cookie import OpenedCookie
from bot.web.status import StatusPage, log_failure

DOWNLOAD_PATH = "/requests/download"


@dataclass
class DownloadPage:
    status: StatusPage
    deliveries: Deliveries
    files: Files

    def render(
        self, request: Request, token: str, step: str, code: int = 200, **values: object
    ) -> Response:
        html = self.status.templates.get_template("downloads.html").render(
            step=step,
            words=self.status.words,
            facts=self.status.facts,
            action=f"{DOWNLOAD_PATH}/{token}",
            css_url=request.url_for("static", path="status.css").path,
            **values,
        )
        return HTMLResponse(html, status_code=code, headers={"Cache-Control": "no-store"})

    def cookie(self) -> OpenedCookie:
        return OpenedCookie(
            "privacybot_download", DOWNLOAD_PATH, "privacybot-download", self.status.secret
        )

    def send_code(self, delivery: OpenDelivery) -> None:
        issued = self.status.codes.issue_for(delivery.ticket_id)
        if issued is None or self.status.mailer is None:
            return
        address, code, ticket = issued
        letter = self.status.letters.write("access_code", ticket, code=code)
        self.status.mailer.send(address, letter.subject, letter.body)

    def opened(self, request: Request, delivery: OpenDelivery) -> bool:
        return self.cookie().read(request) == delivery.delivery_id


def downloads_router(page: DownloadPage) -> APIRouter:
    router = APIRouter(prefix=f"{DOWNLOAD_PATH}/{{token}}", include_in_schema=False)
    _add_opening_routes(router, page)
    _add_file_routes(router, page)
    return router


async def _live(page: DownloadPage, token: str) -> OpenDelivery | None:
    return await run_in_threadpool(page.deliveries.open, token)


def _add_opening_routes(router: APIRouter, page: DownloadPage) -> None:
    """The link asks for an emailed code before it shows anything."""

    @router.get("", response_class=HTMLResponse)
    async def ask(request: Request, token: str) -> Response:
        delivery = await _live(page, token)
        if delivery is None:
            return page.render(request, token, "gone", 404)
        if page.opened(request, delivery):
            return RedirectResponse(f"{DOWNLOAD_PATH}/{token}/files", status_code=303)
        return page.render(request, token, "ask")

    @router.post("/code-request", response_class=HTMLResponse)
    async def code_request(request: Request, token: str) -> Response:
        delivery = await _live(page, token)
        if delivery is None:
            return page.render(request, token, "gone", 404)
        if await page.status.too_fast(request):
            return page.render(request, token, "ask", 429, problem=page.status.words["slow_down"])
        task = asyncio.get_running_loop().run_in_executor(None, page.send_code, delivery)
        task.add_done_callback(log_failure)
        return page.render(request, token, "code")

    @router.post("/open", response_class=HTMLResponse)
    async def open_files(request: Request, token: str) -> Response:
        delivery = await _live(page, token)
        if delivery is None:
            return page.render(request, token, "gone", 404)
        if await page.status.too_fast(request):
            return page.render(request, token, "code", 429, problem=page.status.words["slow_down"])
        code = ((await Form.read(request)).get("code") or "").strip()
        outcome, _ = await run_in_threadpool(page.status.codes.check, delivery.reference, code)
        if outcome is not Check.OPENED:
            word = "too_many" if outcome is Check.TOO_MANY else "wrong_code"
            return page.render(request, token, "code", 400, problem=page.status.words[word])
        response = RedirectResponse(f"{DOWNLOAD_PATH}/{token}/files", status_code=303)
        page.cookie().give(response, request, delivery.delivery_id)
        return response


def _add_file_routes(router: APIRouter, page: DownloadPage) -> None:
    """Once opened: the list of the school's files, and each file, every download audited."""

    @router.get("/files", response_class=HTMLResponse)
    async def files(request: Request, token: str) -> Response:
        delivery = await _live(page, token)
        if delivery is None:
            return page.render(request, token, "gone", 404)
        if not page.opened(request, delivery):
            return RedirectResponse(f"{DOWNLOAD_PATH}/{token}", status_code=303)
        shown = await run_in_threadpool(page.files.of_ticket, delivery.reference)
        links = await run_in_threadpool(page.deliveries.links, delivery.reference)
        expires = next(link.expires_at for link in links if link.id == delivery.delivery_id)
        return page.render(
            request,
            token,
            "files",
            files=[file for file in shown if file.source == "staff"],
            expires=long_date(expires.date()),
        )

    @router.get("/files/{file_id}")
    async def download(request: Request, token: str, file_id: int) -> Response:
        delivery = await _live(page, token)
        if delivery is None:
            return page.render(request, token, "gone", 404)
        if not page.opened(request, delivery):
            return RedirectResponse(f"{DOWNLOAD_PATH}/{token}", status_code=303)
        try:
            stored, data = await run_in_threadpool(page.files.read, delivery.reference, file_id)
        except TicketNotFound:
            return page.render(request, token, "gone", 404)
        if stored.source != "staff":
            return page.render(request, token, "gone", 404)
        await run_in_threadpool(page.deliveries.record_download, delivery)
        return Response(
            data,
            media_type=stored.content_type,
            headers={
                "Content-Disposition": f'attachment; filename="{_ascii(stored.name)}"',
                "Cache-Control": "no-store",
            },
        )


def _ascii(name: str) -> str:
    # A header carries ASCII safely; the name is the school's own, so losing accents is fine.
    return "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
