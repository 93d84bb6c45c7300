"""Logging a request at the front desk: /console/tickets/new, the CLI's `tickets log` as a form.

A phone call, a letter or a parent at the counter is logged with the day it really arrived,
through the request service, so the clock and the audit trail are the same as everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.console.accounts import StaffMember
from bot.console.auth import ConsoleRoute, Gate
from bot.console.forms import Form, FormProblem
from bot.console.views import NO_STORE, PREFIX, Pages
from bot.rules.clock import LONDON
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Relationship, RequestChannel, TicketError
from bot.tickets.service import NewRequest, RequestService

E = TypeVar("E", bound=StrEnum)

# Chat, Slack and Teams log their own requests; the front desk logs what came another way.
DESK_CHANNELS = (
    RequestChannel.PHONE,
    RequestChannel.EMAIL,
    RequestChannel.LETTER,
    RequestChannel.IN_PERSON,
)
FIELDS = (
    "kind",
    "channel",
    "received_on",
    "received_time",
    "requester",
    "contact",
    "relationship",
    "subject",
    "child",
    "details",
)


@dataclass(frozen=True)
class Problem:
    """What is wrong with the form: the field it belongs to (if any) and the words to show."""

    field: str | None
    message: str


class IntakeProblem(FormProblem):
    """A field of the front desk's form to fix; its words are `intake.<key>` in console.yaml."""

    def __init__(self, field: str, key: str) -> None:
        super().__init__(f"intake.{key}")
        self.field = field


def _choice(form: Form, name: str, enum: type[E]) -> E:
    value = form.get(name) or ""
    try:
        return enum(value)
    except ValueError:
        raise IntakeProblem(name, name) from None


def _received(form: Form, today: date) -> datetime:
    day_text = (form.get("received_on") or "").strip()
    if not day_text:
        raise IntakeProblem("received_on", "received_missing")
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise IntakeProblem("received_on", "received_not_a_date") from None
    if day > today:
        raise IntakeProblem("received_on", "received_future")
    clock_text = (form.get("received_time") or "").strip()
    try:
        clock = time.fromisoformat(clock_text) if clock_text else time()
    except ValueError:
        raise IntakeProblem("received_time", "time") from None
    return datetime.combine(day, clock, LONDON)


def _required(form: Form, name: str) -> str:
    value = (form.get(name) or "").strip()
    if not value:
        raise IntakeProblem(name, name)
    return value


def new_request(form: Form, today: date) -> NewRequest:
    """Read the form into a request, or raise IntakeProblem naming the first field to fix."""
    kind = _choice(form, "kind", TicketKind)
    channel = _choice(form, "channel", RequestChannel)
    received = _received(form, today)
    requester = _required(form, "requester")
    contact = _required(form, "contact")
    relationship = _choice(form, "relationship", Relationship)
    subject = _required(form, "subject")
    child = form.get("child")
    if child not in ("yes", "no"):
        raise IntakeProblem("child", "child")
    details = _required(form, "details")
    return NewRequest(
        kind=kind,
        channel=channel,
        received_at=received,
        requester_name=requester,
        requester_contact=contact,
        requester_relationship=relationship,
        subject_name=subject,
        subject_is_child=child == "yes",
        request_text=details,
    )


def intake_router(
    gate: Gate, pages: Pages, requests: RequestService, today: Callable[[], date]
) -> APIRouter:
    router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=ConsoleRoute)

    def form_page(
        request: Request,
        staff: StaffMember,
        values: dict[str, str],
        problem: Problem | None = None,
    ) -> HTMLResponse:
        return pages.render(
            request,
            "new_ticket.html",
            staff=staff,
            status=400 if problem else 200,
            section="new",
            values=values,
            problem=problem,
            kinds=list(TicketKind),
            channels=DESK_CHANNELS,
            relationships=list(Relationship),
            today=today(),
        )

    @router.get("/tickets/new", name="console_new_ticket")
    def blank(request: Request, staff: StaffMember = Depends(gate.staff)) -> HTMLResponse:
        blank_form = dict.fromkeys(FIELDS, "")
        return form_page(request, staff, {**blank_form, "received_on": today().isoformat()})

    @router.post("/tickets/new", name="console_log_ticket")
    async def log_it(
        request: Request,
        staff: StaffMember = Depends(gate.staff),
        form: Form = Depends(gate.form),
    ) -> Response:
        values = {name: form.get(name) or "" for name in FIELDS}
        try:
            new = new_request(form, today())
            view = await run_in_threadpool(requests.log, new, actor=staff.email)
        except IntakeProblem as error:
            return form_page(request, staff, values, Problem(error.field, error.say(pages.phrases)))
        except TicketError as error:
            # The service's own checks (an educational record asked for by phone, say).
            message = str(error)
            return form_page(
                request, staff, values, Problem(None, message[:1].upper() + message[1:])
            )
        where = f"{PREFIX}/tickets/{quote(view.reference)}?done=logged"
        return RedirectResponse(where, status_code=303, headers=NO_STORE)

    return router
