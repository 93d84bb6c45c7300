"""The ticket list and the ticket page, with its actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.console.accounts import StaffMember
from bot.console.actions import ACTIONS
from bot.console.auth import ConsoleRoute, Gate
from bot.console.forms import Form, FormProblem
from bot.console.timeline import timeline
from bot.console.views import NO_STORE, PREFIX, Pages
from bot.rules.deadlines import PauseReason, TicketKind
from bot.storage.tables import ALLOWED_ACTIONS, Outcome, Status, TicketError
from bot.tickets.service import RequestService, TicketFilter, TicketNotFound

E = TypeVar("E", bound=StrEnum)

DUE_CHOICES = {"overdue": "Overdue", "week": "Due this week"}


class NoSuchPage(Exception):
    """A ticket or an action that does not exist: 404."""


def _member(enum: type[E], value: str | None) -> E | None:
    try:
        return enum(value) if value else None
    except ValueError:
        return None


def ticket_filter(
    status: str | None, kind: str | None, due: str | None, assignee: str | None, today: date
) -> TicketFilter:
    """Turn the list's query string into a filter; unknown values are ignored."""
    closed = status == "all"
    return TicketFilter(
        status=_member(Status, status),
        kind=_member(TicketKind, kind),
        overdue=due == "overdue",
        # This week runs to Sunday: on a Friday, "this week" is today to Sunday.
        due_within_days=6 - today.weekday() if due == "week" else None,
        assignee=assignee.strip() if assignee and assignee.strip() else None,
        include_closed=closed,
    )


def triage_router(
    gate: Gate, pages: Pages, requests: RequestService, today: Callable[[], date]
) -> APIRouter:
    router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=ConsoleRoute)

    @router.get("", name="console_home")
    def home(staff: StaffMember = Depends(gate.staff)) -> Response:
        return RedirectResponse(f"{PREFIX}/tickets", status_code=303, headers=NO_STORE)

    @router.get("/tickets", name="console_tickets")
    def tickets(
        request: Request,
        staff: StaffMember = Depends(gate.staff),
        status: str | None = None,
        kind: str | None = None,
        due: str | None = None,
        assignee: str | None = None,
    ) -> HTMLResponse:
        day = today()
        filters = ticket_filter(status, kind, due, assignee, day)
        shown = requests.list_tickets(filters)
        everyone = sorted(
            {t.assignee for t in requests.list_tickets(TicketFilter()) if t.assignee}
            | {staff.email}
        )
        return pages.render(
            request,
            "tickets.html",
            staff=staff,
            section="tickets",
            tickets=shown,
            today=day,
            chosen={
                "status": status or "",
                "kind": kind or "",
                "due": due or "",
                "assignee": assignee or "",
            },
            statuses=list(Status),
            kinds=list(TicketKind),
            due_choices=DUE_CHOICES,
            assignees=everyone,
            filtered=any((status, kind, due, assignee)),
        )

    def ticket_page(
        request: Request,
        staff: StaffMember,
        reference: str,
        *,
        done: str | None = None,
        problem: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        try:
            detail = requests.get(reference, actor=staff.email)  # audited as a view
        except TicketNotFound as error:
            raise NoSuchPage(str(error)) from error
        ticket = detail.ticket
        return pages.render(
            request,
            "ticket.html",
            staff=staff,
            status=status,
            section="tickets",
            detail=detail,
            ticket=ticket,
            today=today(),
            entries=timeline(detail),
            allowed={action.value for action in ALLOWED_ACTIONS[ticket.status]},
            done=done,
            problem=problem,
            pause_reasons=[r for r in PauseReason if r is not PauseReason.AWAITING_ID],
            outcomes=[o for o in Outcome if staff.keeps_the_record or o is not Outcome.REFUSED],
        )

    @router.get("/tickets/{reference}", name="console_ticket")
    def ticket(
        request: Request,
        reference: str,
        staff: StaffMember = Depends(gate.staff),
        done: str | None = None,
    ) -> HTMLResponse:
        action = ACTIONS.get(done or "")
        message = action.done if action else None
        return ticket_page(request, staff, reference, done=message)

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
            raise NoSuchPage(f"there is no action {action!r}")
        try:
            await run_in_threadpool(chosen.run, requests, reference, form, staff)
        except TicketNotFound as error:
            raise NoSuchPage(str(error)) from error
        except (TicketError, FormProblem) as error:
            problem = str(error)
        else:
            where = f"{PREFIX}/tickets/{quote(reference.strip().upper())}?done={action}"
            return RedirectResponse(where, status_code=303, headers=NO_STORE)
        # The page again, with the problem at the top and the forms as they were.
        return await run_in_threadpool(
            lambda: ticket_page(request, staff, reference, problem=problem, status=400)
        )

    return router
