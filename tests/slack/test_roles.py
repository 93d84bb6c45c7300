"""The role rules in Slack: linked staff work tickets with their account's role, others cannot."""

from __future__ import annotations

from typing import Any

import pytest

from bot.console.accounts import Role, StaffAccounts
from bot.rules.lifecycle import Status
from bot.storage.engine import make_engine, session_factory
from bot.storage.tables import StaffLink
from bot.tickets.service import TicketFilter
from tests.slack.conftest import QUICK_HASHER, TRIAGE, Harness, link_staff
from tests.slack.test_ticketing import log_one, log_view, triage_button, triage_ready

pytestmark = pytest.mark.anyio

GUEST = "U0GUEST"
OFFICE = "U0OFFICE"


def as_user(payload: dict[str, Any], user: str) -> dict[str, Any]:
    return {**payload, "user": {"id": user}}


def refusal_modal(harness: Harness, view_id: str) -> dict[str, Any]:
    view = dict(harness.fake.called("views.open")[-1].params["view"])
    view["id"] = view_id
    view["state"] = {
        "values": {
            "outcome": {
                "value": {"type": "static_select", "selected_option": {"value": "refused"}}
            },
            "reason": {
                "value": {"type": "plain_text_input", "value": "Manifestly excessive: weekly"}
            },
        }
    }
    return {"type": "view_submission", "view": view}


async def test_an_unlinked_slack_user_can_log_a_request_but_not_work_it(harness: Harness) -> None:
    await harness.interact(as_user({"type": "view_submission", "view": log_view("VG")}, GUEST))
    await harness.settle()
    (ticket,) = harness.slack.parts.requests.list_tickets(TicketFilter())
    harness.slack.triage.run_once()  # type: ignore[union-attr]
    await harness.interact(as_user(triage_button(harness, "triage_assign"), GUEST))
    await harness.settle()
    (after,) = harness.slack.parts.requests.list_tickets(TicketFilter())
    assert (after.reference, after.status, after.assignee) == (ticket.reference, Status.OPEN, None)
    (told,) = harness.fake.called("chat.postEphemeral")
    assert told.params["user"] == GUEST
    assert "link your Slack account" in told.params["text"]


async def test_office_staff_cannot_refuse_a_request_from_slack(harness: Harness) -> None:
    link_staff(harness.settings, OFFICE, Role.OFFICE)
    reference = await triage_ready(harness)
    await harness.interact(as_user(triage_button(harness, "triage_close"), OFFICE))
    await harness.settle()
    await harness.interact(as_user(refusal_modal(harness, "VREF2"), OFFICE))
    await harness.settle()
    (ticket,) = harness.slack.parts.requests.list_tickets(TicketFilter(include_closed=True))
    assert (ticket.reference, ticket.status) == (reference, Status.OPEN)
    notes = [c.params["text"] for c in harness.fake.called("chat.postMessage")]
    assert any("Only the data protection lead" in note for note in notes)


async def test_a_verified_slack_email_links_the_user_to_their_account(harness: Harness) -> None:
    engine = make_engine(harness.settings.resolved_database_url())
    try:
        accounts = StaffAccounts(session_factory(engine), hasher=QUICK_HASHER)
        accounts.add(
            "lee.office@school.example", "a long enough passphrase", Role.OFFICE, actor="t"
        )
    finally:
        engine.dispose()
    harness.fake.emails["U0LEE"] = "Lee.Office@school.example"
    await log_one(harness)
    harness.slack.triage.run_once()  # type: ignore[union-attr]
    await harness.interact(as_user(triage_button(harness, "triage_assign"), "U0LEE"))
    await harness.settle()
    (ticket,) = harness.slack.parts.requests.list_tickets(TicketFilter())
    assert ticket.status is Status.IN_PROGRESS
    assert not harness.fake.called("chat.postEphemeral")
    with harness.slack.parts.requests.sessions() as session:
        link = session.get(StaffLink, ("slack", "U0LEE"))
        assert link is not None
        assert link.linked_by == "verified email"


def close_modal_outcomes(harness: Harness) -> list[str]:
    view = harness.fake.called("views.open")[-1].params["view"]
    (outcome,) = [block for block in view["blocks"] if block.get("block_id") == "outcome"]
    return [option["value"] for option in outcome["element"]["options"]]


async def test_the_close_modal_offers_refusal_only_to_a_role_that_may_refuse(
    harness: Harness,
) -> None:
    link_staff(harness.settings, OFFICE, Role.OFFICE)
    await triage_ready(harness)
    await harness.interact(as_user(triage_button(harness, "triage_close"), OFFICE))
    await harness.settle()
    assert "refused" not in close_modal_outcomes(harness)
    assert "complied" in close_modal_outcomes(harness)
    await harness.interact(triage_button(harness, "triage_close"))  # the DPO
    await harness.settle()
    assert "refused" in close_modal_outcomes(harness)


def triage_action_ids(harness: Harness) -> list[str]:
    (post,) = [c for c in harness.fake.called("chat.postMessage") if c.params["channel"] == TRIAGE]
    (actions,) = [b for b in post.params["blocks"] if b["type"] == "actions"]
    return [element["action_id"] for element in actions["elements"]]


@pytest.mark.parametrize(
    ("kind", "shown"),
    [
        ("sar", ["triage_assign", "triage_request_id", "triage_extend", "triage_close"]),
        # The law fixes a complaint's clock: no ID restart and no extension to offer.
        ("complaint", ["triage_assign", "triage_close"]),
    ],
)
async def test_a_triage_message_shows_only_the_buttons_the_rules_allow_for_its_kind(
    harness: Harness, kind: str, shown: list[str]
) -> None:
    view = log_view("VKIND")
    view["state"]["values"]["kind"]["value"]["selected_option"]["value"] = kind
    await harness.interact({"type": "view_submission", "view": view})
    await harness.settle()
    harness.slack.triage.run_once()  # type: ignore[union-attr]
    assert triage_action_ids(harness) == shown
