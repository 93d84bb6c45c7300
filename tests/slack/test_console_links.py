"""A link an admin adds in the console lets a Slack user close a ticket through the real Bolt
app over signed HTTP; once the admin removes it, the same user cannot."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.console.accounts import Role, StaffAccounts
from bot.rules.lifecycle import Status
from bot.storage.engine import make_engine, session_factory
from bot.tickets.service import TicketFilter
from tests.slack.conftest import QUICK_HASHER, TRIAGE, Harness
from tests.slack.test_ticketing import log_one

pytestmark = pytest.mark.anyio

NEWCOMER = "U0NEWCOMER"
ADMIN, OFFICE = "admin@school.example", "office@school.example"
PASSWORD = "a long enough passphrase"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_accounts(harness: Harness) -> None:
    engine = make_engine(harness.settings.resolved_database_url())
    try:
        accounts = StaffAccounts(session_factory(engine), hasher=QUICK_HASHER)
        accounts.add(ADMIN, PASSWORD, Role.ADMIN, actor="test")
        accounts.add(OFFICE, PASSWORD, Role.OFFICE, actor="test")
    finally:
        engine.dispose()


async def console_form(harness: Harness, path: str, action: str, **fields: str) -> Any:
    """Post one console form as a signed-in browser would, with the page's CSRF token."""
    page = await harness.http.get(path)
    match = CSRF.search(page.text)
    assert match, page.text
    return await harness.http.post(action, data={"csrf_token": match.group(1), **fields})


def close_button(harness: Harness, reference: str) -> dict[str, Any]:
    """A click on Close in the ticket's triage message, as it stands now."""
    (post,) = [
        c
        for c in harness.fake.called("chat.postMessage")
        if c.params["channel"] == TRIAGE and reference in str(c.params["blocks"])
    ]
    ts = post.answer["ts"]
    updates = [c for c in harness.fake.called("chat.update") if c.params["ts"] == ts]
    shown = (updates[-1] if updates else post).params["blocks"]
    (actions,) = [b for b in shown if b["type"] == "actions"]
    (button,) = [e for e in actions["elements"] if e["action_id"] == "triage_close"]
    return {
        "type": "block_actions",
        "trigger_id": f"trigger-{reference}",
        "container": {"type": "message", "channel_id": TRIAGE, "message_ts": ts},
        "channel": {"id": TRIAGE},
        "actions": [{**button, "block_id": "triage", "type": "button"}],
        "response_url": harness.fake.webhook_url + "triage",
    }


async def close_as(harness: Harness, user: str, reference: str, view_id: str) -> None:
    """The Slack user presses Close on the triage message and submits the modal: complied."""
    harness.slack.triage.run_once()  # type: ignore[union-attr]
    await harness.interact({**close_button(harness, reference), "user": {"id": user}})
    await harness.settle()
    view = dict(harness.fake.called("views.open")[-1].params["view"])
    view["id"] = view_id
    view["state"] = {
        "values": {
            "outcome": {
                "value": {"type": "static_select", "selected_option": {"value": "complied"}}
            }
        }
    }
    answer = await harness.interact({"type": "view_submission", "view": view, "user": {"id": user}})
    assert answer.status_code == 200
    await harness.settle()


async def test_a_console_link_lets_a_slack_user_close_a_ticket_and_its_removal_stops_them(
    harness: Harness,
) -> None:
    add_accounts(harness)
    login = await console_form(
        harness, "/console/login", "/console/login", email=ADMIN, password=PASSWORD, next=""
    )
    assert login.status_code == 303
    added = await console_form(
        harness,
        "/console/staff/links",
        "/console/staff/links/add",
        platform="slack",
        user_id=NEWCOMER,
        email=OFFICE,
    )
    assert added.status_code == 303

    first = await log_one(harness, "VLOGFIRST")
    await close_as(harness, NEWCOMER, first, "VCLOSEFIRST")
    (closed,) = harness.slack.parts.requests.list_tickets(TicketFilter(include_closed=True))
    assert (closed.reference, closed.status) == (first, Status.CLOSED)

    removed = await console_form(
        harness,
        "/console/staff/links",
        "/console/staff/links/remove",
        platform="slack",
        user_id=NEWCOMER,
    )
    assert removed.status_code == 303
    # Even with a verified Slack email that is the office account's: the admin's removal stands.
    harness.fake.emails[NEWCOMER] = OFFICE
    second = await log_one(harness, "VLOGSECOND")
    await close_as(harness, NEWCOMER, second, "VCLOSESECOND")
    still = harness.slack.parts.requests.get(second, actor="test").ticket
    assert still.status is Status.OPEN
    told = [c.params["text"] for c in harness.fake.called("chat.postMessage")]
    assert any("link your Slack account" in text for text in told)
