"""The triage channel: each ticket posted once, from any channel, updated in place; Slack's
failures delay it and lose nothing."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.config import Settings
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Relationship, RequestChannel
from bot.storage.tables import ChannelPost
from bot.tickets.service import NewRequest, RequestService
from tests.slack.conftest import STAFF, TRIAGE, Harness

pytestmark = pytest.mark.anyio


def log_by_cli(settings: Settings, name: str = "Priya Shah") -> str:
    """Log a ticket as the CLI does: its own service and database connection, no Slack."""
    service = RequestService.from_settings(settings)
    try:
        ticket = service.log(
            NewRequest(
                kind=TicketKind.SAR,
                channel=RequestChannel.LETTER,
                received_at=datetime.now(UTC),
                requester_name=name,
                requester_contact="priya@example.org",
                requester_relationship=Relationship.PARENT,
                subject_name="Arjun Shah",
                subject_is_child=True,
                request_text="Please send me everything you hold on my son",
            ),
            actor="office (cli)",
        )
    finally:
        service.dispose()
    return ticket.reference


def triage_posts(harness: Harness) -> list[dict[str, object]]:
    return [
        c.params for c in harness.fake.called("chat.postMessage") if c.params["channel"] == TRIAGE
    ]


async def test_a_ticket_logged_elsewhere_is_posted_once(harness: Harness) -> None:
    reference = log_by_cli(harness.settings)
    feed = harness.slack.triage
    assert feed is not None
    feed.run_once()
    feed.run_once()
    (post,) = triage_posts(harness)
    assert reference in str(post["text"])
    assert "Priya" not in str(post["blocks"])  # no requester's details in Slack
    with harness.slack.parts.requests.sessions() as session:
        (stored,) = session.scalars(select(ChannelPost)).all()
    assert (stored.platform, stored.ticket_reference, stored.channel) == (
        "slack",
        reference,
        TRIAGE,
    )


async def test_a_change_updates_the_message_in_place(harness: Harness) -> None:
    reference = log_by_cli(harness.settings)
    feed = harness.slack.triage
    assert feed is not None
    feed.run_once()
    posted = harness.fake.called("chat.postMessage")[0].answer["ts"]
    harness.slack.parts.requests.assign(reference, "Jo Bloggs", actor="office (cli)")
    feed.run_once()
    (update,) = harness.fake.called("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (TRIAGE, posted)
    assert "Jo Bloggs" in str(update.params["blocks"])
    assert len(triage_posts(harness)) == 1


async def test_a_rate_limited_post_is_posted_on_the_next_run(harness: Harness) -> None:
    log_by_cli(harness.settings)
    feed = harness.slack.triage
    assert feed is not None
    harness.fake.fail("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as limited:
        feed.run_once()
    assert limited.value.response.status_code == 429
    assert triage_posts(harness) == []
    feed.run_once()
    assert len(triage_posts(harness)) == 1


async def test_slack_errors_are_reported_and_the_feed_keeps_going(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    reference = log_by_cli(harness.settings)
    harness.fake.fail("chat.postMessage", error="invalid_auth")
    feed = harness.slack.triage
    assert feed is not None
    with caplog.at_level(logging.ERROR, logger="bot.tickets.feed"):
        async with feed.loop(interval=0.01).running():
            for _ in range(500):
                if triage_posts(harness):
                    break
                await asyncio.sleep(0.01)
    (post,) = triage_posts(harness)
    assert reference in str(post["text"])
    assert any("invalid_auth" in record.getMessage() for record in caplog.records)


async def test_the_bots_replies_wait_out_a_rate_limit(harness: Harness) -> None:
    harness.fake.fail("chat.postMessage", status=429, retry_after=0)
    await harness.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "D0STAFF",
            "user": STAFF,
            "text": "How long do you keep pupil records?",
            "ts": "1700000100.000100",
        }
    )
    await harness.settle()
    attempts = [c for c in harness.fake.calls if c.method == "chat.postMessage"]
    assert [c.status for c in attempts] == [429, 200]


async def test_a_ticket_closed_before_it_was_posted_is_not_posted(harness: Harness) -> None:
    from bot.rules.lifecycle import Outcome

    # The feed's first round runs as the app starts: let it finish, or on a busy machine it can
    # read the ticket between its logging and its closing.
    loop = harness.slack.feed_loop
    assert loop is not None
    for _ in range(3000):
        if loop.rounds:
            break
        await asyncio.sleep(0.01)
    reference = log_by_cli(harness.settings)
    harness.slack.parts.requests.close(reference, Outcome.WITHDRAWN, actor="office (cli)")
    feed = harness.slack.triage
    assert feed is not None
    feed.run_once()
    assert triage_posts(harness) == []
