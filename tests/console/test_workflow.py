"""The office's day in the console over HTTP: log at the desk, search, reassign, close, reopen."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.console.accounts import Role
from bot.rules.clock import LONDON, london_now
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import RequestChannel, Status
from bot.storage.tables import AuditEvent
from bot.tickets.service import RequestService, TicketView
from tests.console.conftest import csrf_of, sign_in

PHONE_CALL = {
    "kind": "sar",
    "channel": "phone",
    "requester": "Joanne Whitfield",
    "contact": "07700 900461",
    "relationship": "parent",
    "subject": "Maisie Whitfield",
    "child": "yes",
    "details": "Wants everything the school holds on Maisie, including the behaviour log",
}


def post_form(client: TestClient, page_url: str, action: str, **fields: str) -> object:
    token = csrf_of(client.get(page_url).text)
    return client.post(action, data={"csrf_token": token, **fields})


def test_a_phone_request_is_logged_with_the_day_it_really_came(
    app_client: TestClient, staff: dict[Role, str], requests_service: RequestService
) -> None:
    sign_in(app_client, staff[Role.OFFICE])
    received = london_now().date() - timedelta(days=3)
    response = post_form(
        app_client,
        "/console/tickets/new",
        "/console/tickets/new",
        **PHONE_CALL,
        received_on=received.isoformat(),
        received_time="16:45",
    )
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    where = response.headers["location"]  # type: ignore[attr-defined]
    assert where.endswith("?done=logged")
    reference = where.split("/")[-1].split("?")[0]
    ticket = requests_service.get(reference, actor="test").ticket
    assert ticket.received_at.date() == received
    assert (ticket.received_at.hour, ticket.received_at.minute) == (16, 45)
    assert ticket.channel is RequestChannel.PHONE
    assert ticket.subject_is_child
    assert ticket.logged_by == staff[Role.OFFICE]
    page = app_client.get(where).text
    assert "The request is logged" in page


def test_a_form_with_a_problem_says_which_field_and_keeps_what_was_typed(
    app_client: TestClient, staff: dict[Role, str], requests_service: RequestService
) -> None:
    sign_in(app_client, staff[Role.OFFICE])
    today = london_now().date()
    missing_child = {**PHONE_CALL, "child": "", "received_on": today.isoformat()}
    page = post_form(app_client, "/console/tickets/new", "/console/tickets/new", **missing_child)
    assert page.status_code == 400  # type: ignore[attr-defined]
    text = page.text  # type: ignore[attr-defined]
    assert "Say whether the data is about a child" in text
    assert 'value="Joanne Whitfield"' in text
    assert "including the behaviour log" in text
    future = {**PHONE_CALL, "received_on": (today + timedelta(days=2)).isoformat()}
    page = post_form(app_client, "/console/tickets/new", "/console/tickets/new", **future)
    assert "cannot be in the future" in page.text  # type: ignore[attr-defined]
    # The service's own rule: an educational record request must be written.
    spoken = {**PHONE_CALL, "kind": "educational_record", "received_on": today.isoformat()}
    page = post_form(app_client, "/console/tickets/new", "/console/tickets/new", **spoken)
    assert page.status_code == 400  # type: ignore[attr-defined]
    assert "must be written" in page.text  # type: ignore[attr-defined]
    assert requests_service.list_tickets() == []


def test_search_finds_by_pupil_reference_contact_and_words_best_match_first(
    app_client: TestClient, staff: dict[Role, str], log_ticket: Callable[..., TicketView]
) -> None:
    maisie = log_ticket(subject_name="Maisie Whitfield", requester_contact="jo@example.org")
    other = log_ticket(
        subject_name="Tom Baker",
        request_text="Please send me Maisie's old class photos too",
        kind=TicketKind.ERASURE,
    )
    log_ticket(subject_name="Ravi Patel")
    sign_in(app_client, staff[Role.OFFICE])

    def found(query: str, **filters: str) -> list[str]:
        page = app_client.get("/console/tickets", params={"q": query, **filters}).text
        return [ref for ref in (maisie.reference, other.reference) if f">{ref}</a>" in page]

    page = app_client.get("/console/tickets", params={"q": "maisie"}).text
    # The pupil's name counts for more than a word in someone else's request.
    assert page.index(maisie.reference) < page.index(other.reference)
    assert "2 tickets found" in page
    assert found(maisie.reference.lower()) == [maisie.reference]
    assert found("jo@example") == [maisie.reference]
    assert found("class photos") == [other.reference]
    assert found("maisie", kind="erasure") == [other.reference]
    assert "No tickets match “nobody”" in app_client.get("/console/tickets?q=nobody").text


def test_the_list_comes_in_pages_that_keep_the_search(
    app_client: TestClient, staff: dict[Role, str], log_ticket: Callable[..., TicketView]
) -> None:
    for _ in range(27):
        log_ticket(subject_name="Lily Evans")
    sign_in(app_client, staff[Role.OFFICE])
    first = app_client.get("/console/tickets?q=lily").text
    assert "27 tickets found" in first
    assert "page 1 of 2" in first
    assert first.count('class="ref"') == 25
    assert 'href="?q=lily&amp;page=2"' in first
    second = app_client.get("/console/tickets?q=lily&page=2").text
    assert second.count('class="ref"') == 2


def test_reassign_close_with_confirmation_and_reopen_with_a_reason(
    app_client: TestClient,
    staff: dict[Role, str],
    log_ticket: Callable[..., TicketView],
    requests_service: RequestService,
) -> None:
    ticket = log_ticket()
    url = f"/console/tickets/{ticket.reference}"
    sign_in(app_client, staff[Role.OFFICE])
    page = app_client.get(url).text
    assert '<option value="">Choose the outcome</option>' in page  # no outcome by default
    moved = post_form(app_client, url, f"{url}/reassign", assignee=staff[Role.DPO])
    assert moved.status_code == 303  # type: ignore[attr-defined]
    assert requests_service.get(ticket.reference, actor="t").ticket.assignee == staff[Role.DPO]

    unchosen = post_form(app_client, url, f"{url}/close", outcome="")
    assert "Choose the outcome before closing" in unchosen.text  # type: ignore[attr-defined]
    asked = post_form(app_client, url, f"{url}/close", outcome="complied")
    assert asked.status_code == 200  # type: ignore[attr-defined]
    assert "Yes, close it" in asked.text  # type: ignore[attr-defined]
    assert not requests_service.get(ticket.reference, actor="t").ticket.closed
    done = post_form(app_client, url, f"{url}/close", outcome="complied", confirmed="yes")
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert requests_service.get(ticket.reference, actor="t").ticket.closed

    no_reason = post_form(app_client, url, f"{url}/reopen", reason=" ")
    assert "The reason for reopening is missing" in no_reason.text  # type: ignore[attr-defined]
    reopened = post_form(app_client, url, f"{url}/reopen", reason="Parent found more emails")
    assert reopened.status_code == 303  # type: ignore[attr-defined]
    detail = requests_service.get(ticket.reference, actor="t")
    assert detail.ticket.status is Status.IN_PROGRESS
    assert detail.ticket.outcome is None
    assert detail.notes[-1].text == "Reopened: Parent found more emails"
    reopen_events = [e for e in detail.events if e.action == "reopened"]
    assert {e.actor for e in reopen_events} == {staff[Role.OFFICE]}
    assert "Parent found more emails" not in str([e.new_value for e in detail.events])


def test_the_timeline_reads_in_london_words_with_one_view_per_visit(
    app_client: TestClient,
    staff: dict[Role, str],
    log_ticket: Callable[..., TicketView],
) -> None:
    ticket = log_ticket(days_ago=5)
    url = f"/console/tickets/{ticket.reference}"
    sign_in(app_client, staff[Role.DPO])  # not the one who logged it
    app_client.get(url)
    post_form(app_client, url, f"{url}/note", text="Rang back", visibility="internal")
    app_client.get(url)
    page = app_client.get(url).text
    timeline = re.sub(r"<[^>]+>", "", page[page.index('id="timeline-heading"') :])
    received = ticket.received_at.astimezone(LONDON)
    assert f"Received at: {received:%A %-d %B %Y} at {received:%-I:%M}" in timeline
    assert not re.search(r"\d{4}-\d{2}-\d{2}", timeline)  # no ISO dates or times left
    # Four page loads and a note: one visit, one view.
    assert timeline.count("Viewed") == 1


def test_the_request_log_page_is_in_words_and_the_csv_keeps_both(
    app_client: TestClient, staff: dict[Role, str], log_ticket: Callable[..., TicketView]
) -> None:
    ticket = log_ticket(channel=RequestChannel.IN_PERSON)
    sign_in(app_client, staff[Role.DPO])
    page = app_client.get("/console/log").text
    assert "In person" in page
    assert "in_person" not in page
    assert "+00:00" not in page
    assert "+01:00" not in page
    rows = list(csv.DictReader(io.StringIO(app_client.get("/console/log.csv").text)))
    assert rows[0]["reference"] == ticket.reference
    assert rows[0]["channel"] == "in_person"
    assert rows[0]["channel_in_words"] == "In person"
    assert rows[0]["received"].startswith(ticket.received_at.date().isoformat())
    retention = app_client.get("/console/purge").text
    assert "6 years" in retention
    assert "2190" not in retention


def test_the_audit_viewer_filters_and_exports(
    app_client: TestClient, staff: dict[Role, str], log_ticket: Callable[..., TicketView]
) -> None:
    ticket = log_ticket()
    sign_in(app_client, staff[Role.OFFICE])
    app_client.get(f"/console/tickets/{ticket.reference}")
    assert app_client.get("/console/audit").status_code == 403
    sign_in(app_client, staff[Role.DPO])
    page = app_client.get("/console/audit", params={"actor": staff[Role.OFFICE]}).text
    assert "Viewed" in page
    assert ticket.reference in page
    assert staff[Role.DPO] not in page.split("<main", 1)[1].split("</form>", 1)[1]
    only_views = app_client.get("/console/audit", params={"action": "viewed"}).text
    assert "<td>Logged</td>" not in only_views
    assert "<td>Viewed</td>" in only_views
    exported = app_client.get(
        "/console/audit.csv", params={"reference": ticket.reference, "action": "viewed"}
    )
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [row["actor"] for row in rows] == [staff[Role.OFFICE]]
    assert rows[0]["at_in_words"].endswith(("am", "pm"))


def test_an_admin_adds_disables_enables_and_resets_staff(
    app_client: TestClient, staff: dict[Role, str], requests_service: RequestService
) -> None:
    sign_in(app_client, staff[Role.DPO])
    assert app_client.get("/console/staff").status_code == 403
    sign_in(app_client, staff[Role.ADMIN])
    # An unknown change is refused by name; clearing failed sign-ins is a change an admin makes.
    unknown = post_form(
        app_client, "/console/staff", "/console/staff/promote", email=staff[Role.OFFICE]
    )
    assert "There is no such change to an account." in unknown.text  # type: ignore[attr-defined]
    unlock = post_form(
        app_client, "/console/staff", "/console/staff/unlock", email=staff[Role.OFFICE]
    )
    assert unlock.status_code == 303  # type: ignore[attr-defined]
    cleared = app_client.get(unlock.headers["location"])  # type: ignore[attr-defined]
    assert "Failed sign-ins cleared" in cleared.text
    new = "new.colleague@school.example"
    post_form(
        app_client,
        "/console/staff",
        "/console/staff/add",
        email=new,
        role="office",
        password="a long enough password",
    )
    post_form(app_client, "/console/staff", "/console/staff/disable", email=new)
    assert sign_in(app_client, new, "a long enough password").status_code != 303
    sign_in(app_client, staff[Role.ADMIN])
    post_form(app_client, "/console/staff", "/console/staff/enable", email=new)
    post_form(
        app_client,
        "/console/staff",
        "/console/staff/reset",
        email=new,
        password="another long password",
    )
    assert sign_in(app_client, new, "another long password").status_code == 303
    with requests_service.sessions.begin() as session:
        actions = set(
            session.scalars(select(AuditEvent.action).where(AuditEvent.actor == staff[Role.ADMIN]))
        )
    assert {"staff_added", "staff_disabled", "staff_enabled"} <= actions
    assert "staff_password_reset" in actions
