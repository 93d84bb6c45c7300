"""Logging and working tickets from Slack: the log modal, the lists, the triage buttons."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.rules.clock import LONDON
from bot.rules.lifecycle import Status
from bot.storage.tables import AuditEvent
from bot.tickets.service import TicketFilter
from tests.slack.conftest import STAFF, TRIAGE, Harness

pytestmark = pytest.mark.anyio


def today() -> date:
    from datetime import datetime

    return datetime.now(LONDON).date()


def log_view(
    view_id: str = "VLOG1", received: date | None = None, **changes: str
) -> dict[str, Any]:
    answers = {
        "kind": {"type": "static_select", "selected_option": {"value": "sar"}},
        "received": {"type": "datepicker", "selected_date": (received or today()).isoformat()},
        "channel": {"type": "static_select", "selected_option": {"value": "phone"}},
        "requester": {"type": "plain_text_input", "value": "Priya Shah"},
        "relationship": {"type": "static_select", "selected_option": {"value": "parent"}},
        "subject": {"type": "plain_text_input", "value": "Arjun Shah"},
        "child": {"type": "radio_buttons", "selected_option": {"value": "yes"}},
        "contact": {"type": "plain_text_input", "value": "priya@example.org"},
        "details": {"type": "plain_text_input", "value": "Everything you hold on my son"},
    }
    for block_id, value in changes.items():
        answers[block_id] = {"type": "plain_text_input", "value": value}
    return {
        "id": view_id,
        "type": "modal",
        "callback_id": "privacy_log",
        "private_metadata": "",
        "state": {"values": {block: {"value": state} for block, state in answers.items()}},
    }


async def submit(harness: Harness, view: dict[str, Any]) -> Any:
    response = await harness.interact({"type": "view_submission", "view": view})
    assert response.status_code == 200
    return response.json() if response.content else None


async def log_one(harness: Harness, view_id: str = "VLOG1") -> str:
    await submit(harness, log_view(view_id))
    await harness.settle()
    (ticket,) = harness.slack.parts.requests.list_tickets(TicketFilter())
    return ticket.reference


async def test_privacy_log_opens_the_modal(harness: Harness) -> None:
    await harness.command("log")
    await harness.settle()
    (opened,) = harness.fake.called("views.open")
    assert opened.params["trigger_id"] == "trigger-1"
    view = opened.params["view"]
    assert view["callback_id"] == "privacy_log"
    blocks = {block["block_id"] for block in view["blocks"]}
    assert {"kind", "received", "requester", "subject", "contact", "details", "channel"} <= blocks


async def test_the_log_modal_creates_one_ticket_however_often_submitted(harness: Harness) -> None:
    assert await submit(harness, log_view("VSAME")) is None  # the modal closes
    await submit(harness, log_view("VSAME"))
    await harness.settle()
    (ticket,) = harness.slack.parts.requests.list_tickets(TicketFilter())
    assert (ticket.requester_name, ticket.channel.value) == ("Priya Shah", "phone")
    assert ticket.logged_by == f"slack:{STAFF} (Sam Office)"
    confirmations = [
        c for c in harness.fake.called("chat.postMessage") if c.params["channel"] == STAFF
    ]
    assert len(confirmations) == 1
    assert ticket.reference in confirmations[0].params["text"]


async def test_a_received_date_in_the_future_is_refused_in_the_modal(harness: Harness) -> None:
    answer = await submit(harness, log_view(received=today() + timedelta(days=1)))
    await harness.settle()
    assert answer["response_action"] == "errors"
    assert "future" in answer["errors"]["received"]
    assert harness.slack.parts.requests.list_tickets(TicketFilter()) == []


async def test_a_refused_request_is_explained_to_the_member_of_staff(harness: Harness) -> None:
    view = log_view()
    view["state"]["values"]["kind"]["value"]["selected_option"]["value"] = "educational_record"
    await submit(harness, view)  # a spoken educational-record request must be logged as a SAR
    await harness.settle()
    (note,) = harness.fake.called("chat.postMessage")
    assert note.params["channel"] == STAFF
    assert note.params["text"].startswith("Not logged:")
    assert harness.slack.parts.requests.list_tickets(TicketFilter()) == []


async def test_privacy_tickets_lists_open_tickets_with_due_dates(harness: Harness) -> None:
    reference = await log_one(harness)
    await harness.command("tickets")
    await harness.settle()
    listing = harness.fake.called("webhook")[-1].params
    shown = " ".join(block["text"]["text"] for block in listing["blocks"] if "text" in block)
    assert reference in shown
    assert "Due " in shown
    assert "Priya" not in shown  # no requester's details in Slack lists


async def test_app_home_shows_the_same_list(harness: Harness) -> None:
    reference = await log_one(harness)
    await harness.event({"type": "app_home_opened", "user": STAFF, "tab": "home"}, "EvHome")
    await harness.settle()
    (published,) = harness.fake.called("views.publish")
    assert published.params["user_id"] == STAFF
    assert reference in str(published.params["view"]["blocks"])


def triage_button(harness: Harness, action_id: str) -> dict[str, Any]:
    (post,) = [c for c in harness.fake.called("chat.postMessage") if c.params["channel"] == TRIAGE]
    (actions,) = [b for b in post.params["blocks"] if b["type"] == "actions"]
    updates = harness.fake.called("chat.update")
    if updates:
        (actions,) = [b for b in updates[-1].params["blocks"] if b["type"] == "actions"]
    (button,) = [e for e in actions["elements"] if e["action_id"] == action_id]
    return {
        "type": "block_actions",
        "trigger_id": f"trigger-{action_id}",
        "container": {"type": "message", "channel_id": TRIAGE, "message_ts": post.answer["ts"]},
        "channel": {"id": TRIAGE},
        "actions": [{**button, "block_id": "triage", "type": "button"}],
        "response_url": harness.fake.webhook_url + "triage",
    }


async def triage_ready(harness: Harness) -> str:
    reference = await log_one(harness)
    harness.slack.triage.run_once()  # type: ignore[union-attr]
    return reference


async def test_take_it_assigns_the_ticket_to_the_slack_user(harness: Harness) -> None:
    reference = await triage_ready(harness)
    click = triage_button(harness, "triage_assign")
    await harness.interact(click)
    await harness.interact(click)  # double-clicked
    await harness.settle()
    service = harness.slack.parts.requests
    (ticket,) = service.list_tickets(TicketFilter())
    assert (ticket.status, ticket.assignee) == (Status.IN_PROGRESS, "Sam Office")
    with service.sessions() as session:
        assigned = session.scalars(
            select(AuditEvent).where(
                AuditEvent.ticket_reference == reference, AuditEvent.action == "assigned"
            )
        ).all()
    assert {event.actor for event in assigned} == {f"slack:{STAFF} (Sam Office)"}
    assert [event.field for event in assigned] == ["assignee", "status"]  # once, not twice
    (update,) = harness.fake.called("chat.update")
    assert "Sam Office" in str(update.params["blocks"])


async def test_id_requested_pauses_the_clock_and_id_received_resumes_it(harness: Harness) -> None:
    await triage_ready(harness)
    await harness.interact(triage_button(harness, "triage_request_id"))
    await harness.settle()
    service = harness.slack.parts.requests
    assert service.list_tickets(TicketFilter())[0].status is Status.AWAITING_ID
    assert "clock paused" in str(harness.fake.called("chat.update")[-1].params["blocks"])
    await harness.interact(triage_button(harness, "triage_id_received"))
    await harness.settle()
    ticket = service.list_tickets(TicketFilter())[0]
    assert ticket.status is Status.IN_PROGRESS
    assert ticket.id_received_on == today()


async def test_extend_asks_the_reason_in_a_modal(harness: Harness) -> None:
    reference = await triage_ready(harness)
    await harness.interact(triage_button(harness, "triage_extend"))
    await harness.settle()
    (opened,) = harness.fake.called("views.open")
    view = opened.params["view"]
    assert view["private_metadata"] == reference
    view["id"] = "VEXT"
    view["state"] = {
        "values": {
            "reason": {"value": {"type": "plain_text_input", "value": "Several requests at once"}},
            "told_on": {"value": {"type": "datepicker", "selected_date": today().isoformat()}},
        }
    }
    await submit(harness, view)
    await submit(harness, view)
    await harness.settle()
    ticket = harness.slack.parts.requests.list_tickets(TicketFilter())[0]
    assert ticket.extended
    assert ticket.extension_reason == "Several requests at once"
    # Submitted twice, acted on once: the second would have been refused as already extended.
    notes = [c.params["text"] for c in harness.fake.called("chat.postMessage")]
    assert not [note for note in notes if note.startswith("Not changed")]


async def test_close_needs_a_reason_for_a_refusal(harness: Harness) -> None:
    reference = await triage_ready(harness)
    await harness.interact(triage_button(harness, "triage_close"))
    await harness.settle()
    view = harness.fake.called("views.open")[0].params["view"]
    view["id"] = "VCLOSE"
    view["state"] = {
        "values": {
            "outcome": {"value": {"type": "static_select", "selected_option": {"value": "refused"}}}
        }
    }
    answer = await submit(harness, view)
    assert answer["response_action"] == "errors"
    assert "reason" in answer["errors"]
    view["id"] = "VCLOSE2"
    view["state"]["values"]["reason"] = {
        "value": {"type": "plain_text_input", "value": "Manifestly excessive: the fifth this month"}
    }
    assert await submit(harness, view) is None
    await harness.settle()
    (closed,) = harness.slack.parts.requests.list_tickets(TicketFilter(include_closed=True))
    assert (closed.reference, closed.status, closed.outcome_reason) == (
        reference,
        Status.CLOSED,
        "Manifestly excessive: the fifth this month",
    )
    final = harness.fake.called("chat.update")[-1].params["blocks"]
    assert not [b for b in final if b["type"] == "actions"]  # nothing left to do on it
