"""The ticket list's filters and badges, the ticket page, and its actions in the audit trail."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.console.accounts import Role
from bot.console.views import due_badge
from bot.content.console_phrases import console_labels
from bot.content.location import packaged_content_dir
from bot.rules.clock import LONDON, london_now
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Outcome, Relationship, RequestChannel, Status
from bot.storage.tables import AuditEvent
from bot.tickets.service import RequestService, TicketView
from tests.console.conftest import csrf_of, sign_in

REFERENCE = re.compile(r'class="ref" href="/console/tickets/([A-Z]+-\d{4}-\d{4})"')


def listed(client: TestClient, query: str = "") -> list[str]:
    response = client.get(f"/console/tickets{query}")
    assert response.status_code == 200
    return REFERENCE.findall(response.text)


def test_the_list_filters_and_sorts_by_due_date(
    app_client: TestClient,
    staff: dict[Role, str],
    log_ticket: Callable[..., TicketView],
    requests_service: RequestService,
) -> None:
    overdue = log_ticket(days_ago=45)
    fresh = log_ticket(days_ago=1)
    erasure = log_ticket(days_ago=10, kind=TicketKind.ERASURE)
    closed = log_ticket(days_ago=20)
    requests_service.close(closed.reference, Outcome.COMPLIED, actor="dpo")
    requests_service.assign(fresh.reference, staff[Role.DPO], actor="dpo")
    sign_in(app_client, staff[Role.OFFICE])

    by_due = sorted([overdue, fresh, erasure], key=lambda t: (t.due_date, t.reference))
    assert listed(app_client) == [t.reference for t in by_due]
    assert listed(app_client, "?due=overdue") == [overdue.reference]
    assert listed(app_client, "?kind=erasure") == [erasure.reference]
    assert listed(app_client, f"?assignee={staff[Role.DPO]}") == [fresh.reference]
    assert listed(app_client, "?status=closed") == [closed.reference]
    assert closed.reference in listed(app_client, "?status=all")
    assert listed(app_client, "?status=in_progress") == [fresh.reference]
    # Unknown values are ignored rather than failing the page.
    assert len(listed(app_client, "?status=bogus&kind=bogus")) == 3


def test_due_this_week_runs_to_sunday(
    app_client: TestClient, staff: dict[Role, str], log_ticket: Callable[..., TicketView]
) -> None:
    tickets = [log_ticket(days_ago=days) for days in (20, 25, 28, 30, 31)]
    sign_in(app_client, staff[Role.OFFICE])
    today = london_now().date()
    sunday = today + timedelta(days=6 - today.weekday())
    expected = {t.reference for t in tickets if today <= t.due_date <= sunday}
    assert set(listed(app_client, "?due=week")) == expected


@pytest.mark.parametrize(
    ("days_left", "extended", "status", "text", "tone"),
    [
        (12, False, Status.IN_PROGRESS, "12 days left", "ok"),
        (1, False, Status.OPEN, "1 day left", "soon"),
        (0, False, Status.OPEN, "due today", "soon"),
        (-3, False, Status.OPEN, "3 days overdue", "overdue"),
        (40, True, Status.IN_PROGRESS, "Extended, 40 days left", "ok"),
        (-3, False, Status.AWAITING_ID, "Paused: awaiting ID", "paused"),
        (5, False, Status.AWAITING_CLARIFICATION, "Paused: awaiting clarification", "paused"),
        (-3, False, Status.CLOSED, "Closed", "closed"),
    ],
)
def test_the_due_badge_says_where_the_clock_stands(
    days_left: int, extended: bool, status: Status, text: str, tone: str
) -> None:
    today = date(2026, 3, 3)
    received = datetime(2026, 2, 1, 9, 0, tzinfo=LONDON)
    ticket = TicketView(
        reference="SAR-2026-0001",
        kind=TicketKind.SAR,
        channel=RequestChannel.EMAIL,
        received_at=received,
        logged_at=received,
        logged_by="office",
        requester_name="Priya Shah",
        requester_contact="priya.shah@example.org",
        requester_relationship=Relationship.PARENT,
        subject_name="Arjun Shah",
        subject_is_child=True,
        request_text="Everything",
        status=status,
        assignee=None,
        due_date=today + timedelta(days=days_left),
        extended=extended,
        extension_reason=None,
        extension_told_on=None,
        id_requested_on=None,
        id_received_on=None,
        id_verified_by=None,
        id_not_needed_reason=None,
        outcome=None,
        outcome_reason=None,
        closed_at=None,
        source_key=None,
        conversation_id=None,
    )
    badge = due_badge(ticket, today, console_labels(packaged_content_dir("answers")))
    assert (badge.text, badge.tone) == (text, tone)


def test_the_ticket_page_shows_every_field_and_audits_the_view(
    app_client: TestClient,
    staff: dict[Role, str],
    log_ticket: Callable[..., TicketView],
    requests_service: RequestService,
) -> None:
    ticket = log_ticket(
        channel=RequestChannel.LETTER,
        requester_relationship=Relationship.CARER,
        request_text="Copies of <b>all</b> reports",
    )
    sign_in(app_client, staff[Role.OFFICE])
    page = app_client.get(f"/console/tickets/{ticket.reference.lower()}")
    assert page.status_code == 200
    for shown in (
        "Priya Shah",
        "priya.shah@example.org",
        "carer",
        "Arjun Shah",
        "a child",
        "letter",
    ):
        assert shown in page.text
    # What people type is shown as text, never as markup.
    assert "Copies of &lt;b&gt;all&lt;/b&gt; reports" in page.text
    assert ticket.due_date.strftime("%-d %b %Y") in page.text
    with requests_service.sessions.begin() as session:
        viewers = session.scalars(
            select(AuditEvent.actor).where(
                AuditEvent.ticket_reference == ticket.reference, AuditEvent.action == "viewed"
            )
        ).all()
    assert viewers == [staff[Role.OFFICE]]
    assert app_client.get("/console/tickets/SAR-1999-9999").status_code == 404


def test_each_action_goes_through_the_service_as_the_signed_in_member_of_staff(
    app_client: TestClient,
    staff: dict[Role, str],
    log_ticket: Callable[..., TicketView],
    requests_service: RequestService,
) -> None:
    ticket = log_ticket(days_ago=2)
    url = f"/console/tickets/{ticket.reference}"
    sign_in(app_client, staff[Role.OFFICE])

    def act(action: str, **fields: str) -> str:
        token = csrf_of(app_client.get(url).text)
        response = app_client.post(f"{url}/{action}", data={"csrf_token": token, **fields})
        assert response.status_code == 303, response.text
        assert response.headers["location"] == f"{url}?done={action}"
        return str(app_client.get(response.headers["location"]).text)

    assert "You have taken this ticket." in act("take")
    act("request-id")
    act("id-received")
    act("pause", reason="awaiting_clarification")
    act("resume")
    act("hold", reason="Waiting for the head's advice")
    act("extend", reason="Several requests at once")
    act("note", text="Phoned the parent", visibility="to_requester")
    page = act("close", outcome="complied", confirmed="yes")
    assert "The ticket is closed." in page

    detail = requests_service.get(ticket.reference, actor="test")
    assert detail.ticket.assignee == staff[Role.OFFICE]
    assert detail.ticket.extended
    assert detail.ticket.id_received_on is not None
    assert detail.ticket.status is Status.CLOSED
    assert [note.text for note in detail.notes] == [
        "Internal hold, the statutory clock keeps running: Waiting for the head's advice",
        "Phoned the parent",
    ]
    changes = {e.action for e in detail.events if e.actor == staff[Role.OFFICE]}
    assert {"assigned", "paused", "resumed", "extended", "note_added", "closed"} <= changes
    for step in ("Assigned", "Clock paused", "Clock restarted", "Extended", "Closed"):
        assert f"<strong>{step}</strong>" in page


def test_a_change_the_law_does_not_allow_is_explained_on_the_page(
    app_client: TestClient, staff: dict[Role, str], log_ticket: Callable[..., TicketView]
) -> None:
    ticket = log_ticket(days_ago=45)
    url = f"/console/tickets/{ticket.reference}"
    sign_in(app_client, staff[Role.OFFICE])
    token = csrf_of(app_client.get(url).text)
    late = app_client.post(f"{url}/extend", data={"csrf_token": token, "reason": "Complex"})
    assert late.status_code == 400
    assert "within the first month" in late.text
    missing = app_client.post(f"{url}/extend", data={"csrf_token": token, "reason": " "})
    assert "The reason for the extension is missing" in missing.text
    no_such = app_client.post(f"{url}/teleport", data={"csrf_token": token})
    assert no_such.status_code == 404


@pytest.mark.parametrize(
    ("kind", "shown"),
    [
        (TicketKind.SAR, True),
        # The law fixes a complaint's clock: no ID restart, pause or extension to offer.
        (TicketKind.COMPLAINT, False),
    ],
)
def test_the_ticket_page_offers_only_the_actions_the_rules_allow_for_its_kind(
    app_client: TestClient,
    staff: dict[Role, str],
    log_ticket: Callable[..., TicketView],
    kind: TicketKind,
    shown: bool,
) -> None:
    ticket = log_ticket(kind=kind)
    sign_in(app_client, staff[Role.OFFICE])
    page = app_client.get(f"/console/tickets/{ticket.reference}").text
    for button in ("Record: ID requested", "Pause</button>", "Extend to three months"):
        assert (button in page) is shown, button
    assert "Close the ticket" in page
    assert "Take it" in page


@pytest.mark.parametrize(("role", "offered"), [(Role.OFFICE, False), (Role.DPO, True)])
def test_refusal_is_offered_on_the_ticket_page_only_to_a_role_that_may_refuse(
    app_client: TestClient,
    staff: dict[Role, str],
    log_ticket: Callable[..., TicketView],
    role: Role,
    offered: bool,
) -> None:
    ticket = log_ticket()
    sign_in(app_client, staff[role])
    page = app_client.get(f"/console/tickets/{ticket.reference}").text
    assert ('<option value="refused">' in page) is offered
