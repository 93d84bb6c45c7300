"""The ticket page and its actions (the list and search are in listing.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.console.accounts import StaffMember
from bot.console.actions import ACTIONS, NeedsConfirmation
from bot.console.auth import ConsoleRoute, Gate
from bot.console.forms import Form, FormProblem
from bot.console.timeline import timeline
from bot.console.views import NO_STORE, PREFIX, Pages
from bot.console.worded import Worded
from bot.rules.deadlines import PauseReason
from bot.rules.lifecycle import Outcome, TicketError
from bot.tickets.service import RequestService, TicketNotFound


class NoSuchPage(Worded):
    """A ticket or an action that does not exist: 404, in the words of `not_found.*`."""


class TicketPages:
    """Renders one ticket's page: its clock, request, timeline and the actions it allows."""

    def __init__(
        self, gate: Gate, pages: Pages, requests: RequestService, today: Callable[[], date]
    ) -> None:
        self.gate, self.pages, self.requests, self.today = gate, pages, requests, today

    def render(
        self, request: Request, staff: StaffMember, reference: str, **extra: Any
    ) -> HTMLResponse:
        try:
            detail = self.requests.get(reference, actor=staff.email)  # audited as a view
        except TicketNotFound as error:
            raise NoSuchPage("not_found.ticket", reference=reference.strip().upper()) from error
        ticket = detail.ticket
        colleagues = [a.email for a in self.gate.accounts.accounts() if not a.disabled]
        return self.pages.render(
            request,
            "ticket.html",
            staff=staff,
            status=extra.pop("status", 200),
            section="tickets",
            detail=detail,
            ticket=ticket,
            today=self.today(),
            entries=timeline(detail, self.pages.kind_label, self.pages.labels),
            # What the status and the law for the ticket's kind allow, as in every channel.
            allowed={action.value for action in self.requests.actions_for(ticket)},
            done=extra.pop("done", None),
            problem=extra.pop("problem", None),
            confirm=extra.pop("confirm", None),
            colleagues=colleagues,
            pause_reasons=[r for r in PauseReason if r is not PauseReason.AWAITING_ID],
            outcomes=[o for o in Outcome if staff.keeps_the_record or o is not Outcome.REFUSED],
        )


def triage_router(
    gate: Gate, pages: Pages, requests: RequestService, today: Callable[[], date]
) -> APIRouter:
    router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=ConsoleRoute)
    ticket_pages = TicketPages(gate, pages, requests, today)

    @router.get("/tickets/{reference}", name="console_ticket")
    def ticket(
        request: Request,
        reference: str,
        staff: StaffMember = Depends(gate.staff),
        done: str | None = None,
    ) -> HTMLResponse:
        # Only a known action's words: `done` comes from the address bar.
        known = done is not None and (done in ACTIONS or done == "logged")
        message = pages.phrases.say(f"done.{done}") if known else None
        return ticket_pages.render(request, staff, reference, done=message)

    @router.post("/tickets/{reference}/{action}", name="console_ticket_action")
    async def act(
        request: Request,
        reference: str,
        action: str,
        staff: StaffMember = Depends(gate.staff),
        form: Form = Depends(gate.form),
    ) -> Response:
        chosen = ACTIONS.get(action)
        if chosen is None:
            raise NoSuchPage("not_found.action", action=action)
        extra: dict[str, Any]
        try:
            await run_in_threadpool(chosen.run, requests, reference, form, staff)
        except TicketNotFound as error:
            raise NoSuchPage("not_found.ticket", reference=reference.strip().upper()) from error
        except NeedsConfirmation as asked:
            extra = {"confirm": asked}
        except (TicketError, FormProblem) as error:
            extra = {"problem": pages.problem(error), "status": 400}
        else:
            where = f"{PREFIX}/tickets/{quote(reference.strip().upper())}?done={action}"
            return RedirectResponse(where, status_code=303, headers=NO_STORE)
        # The page again, with the question or the problem at the top and the forms as they were.
        return await run_in_threadpool(
            lambda: ticket_pages.render(request, staff, reference, **extra)
        )

    return router
