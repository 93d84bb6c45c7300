"""The ticket list at /console/tickets: filters, a ranked search (?q=) and pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.console.accounts import StaffMember
from bot.console.auth import ConsoleRoute, Gate
from bot.console.views import NO_STORE, PREFIX, Pages
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Status
from bot.tickets.search import TicketPage, TicketSearch
from bot.tickets.service import TicketFilter

E = TypeVar("E", bound=StrEnum)

# The due-date filter's choices; their words are `due_filter.*` in console_labels.yaml.
DUE_CHOICES = ("overdue", "week")
_QUERY_LIMIT = 200


def _member(enum: type[E], value: str | None) -> E | None:
    try:
        return enum(value) if value else None
    except ValueError:
        return None


def ticket_filter(
    status: str | None, kind: str | None, due: str | None, assignee: str | None, today: date
) -> TicketFilter:
    """Turn the list's query string into a filter; unknown values are ignored."""
    return TicketFilter(
        status=_member(Status, status),
        kind=_member(TicketKind, kind),
        overdue=due == "overdue",
        # This week runs to Sunday: on a Friday, "this week" is today to Sunday.
        due_within_days=6 - today.weekday() if due == "week" else None,
        assignee=assignee.strip() if assignee and assignee.strip() else None,
        include_closed=status == "all",
    )


def _page_links(chosen: dict[str, str], found: TicketPage) -> dict[str, str | None]:
    """The previous and next pages' addresses, keeping the filters and the search."""
    kept = {name: value for name, value in chosen.items() if value}

    def link(number: int) -> str:
        return f"?{urlencode({**kept, 'page': number})}"

    return {
        "previous": link(found.page - 1) if found.page > 1 else None,
        "next": link(found.page + 1) if found.page < found.pages else None,
    }


def list_router(
    gate: Gate, pages: Pages, search: TicketSearch, today: Callable[[], date]
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
        q: str | None = None,
        page: int = 1,
    ) -> HTMLResponse:
        day = today()
        text = (q or "").strip()[:_QUERY_LIMIT]
        found = search.page(
            ticket_filter(status, kind, due, assignee, day), day, text=text, page=page
        )
        chosen = {
            "q": text,
            "status": status or "",
            "kind": kind or "",
            "due": due or "",
            "assignee": assignee or "",
        }
        due_choices = {value: pages.labels.say(f"due_filter.{value}") for value in DUE_CHOICES}
        return pages.render(
            request,
            "tickets.html",
            staff=staff,
            due_choices=due_choices,
            **_context(staff, search, found, chosen, day),
        )

    return router


def _context(
    staff: StaffMember, search: TicketSearch, found: TicketPage, chosen: dict[str, str], day: date
) -> dict[str, Any]:
    return {
        "section": "tickets",
        "found": found,
        "tickets": found.tickets,
        "links": _page_links(chosen, found),
        "today": day,
        "chosen": chosen,
        "statuses": list(Status),
        "kinds": list(TicketKind),
        "assignees": sorted(set(search.assignees()) | {staff.email}, key=str.lower),
        "filtered": any(value for name, value in chosen.items() if name != "q"),
        "searching": bool(chosen["q"]),
    }
