"""Staff's side of a hand-off: replies in the thread reach the parent, the button ends it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import blocks
from bot.slack.asking import acknowledge
from bot.slack.bridge import PLATFORM
from bot.slack.markup import from_mrkdwn
from bot.slack.parts import Parts, reported

log = logging.getLogger(__name__)

Body = dict[str, Any]


async def is_thread_reply(event: Body) -> bool:
    thread = event.get("thread_ts")
    return (
        event.get("channel_type") != "im"
        and bool(thread)
        and thread != event.get("ts")
        and not event.get("subtype")
        and not event.get("bot_id")
        and bool(event.get("user"))
    )


def register(bolt: AsyncApp, parts: Parts) -> None:
    """Add the hand-off listeners to `bolt`."""
    desk = parts.desk

    @reported
    async def pass_reply_on(event: Body, body: Body) -> None:
        handoff = await asyncio.to_thread(desk.find, PLATFORM, event["channel"], event["thread_ts"])
        if handoff is None:
            return  # an ordinary thread, or a hand-off already closed
        text = from_mrkdwn(event.get("text", ""))
        if text:
            await asyncio.to_thread(desk.reply, handoff, text, f"slack:{body['event_id']}")

    @reported
    async def close_handoff(body: Body, client: AsyncWebClient) -> None:
        channel = (body.get("channel") or {}).get("id", "")
        thread = (body.get("container") or {}).get("message_ts", "")
        handoff = await asyncio.to_thread(desk.find, PLATFORM, channel, thread)
        if handoff is None or await asyncio.to_thread(desk.close, handoff) is None:
            return  # closed already: a double click, or another member of staff
        _, name = await parts.actor(client, body["user"]["id"])
        summary, closed = blocks.handoff_blocks(parts.words, closed_by=name)
        await client.chat_update(channel=channel, ts=thread, text=summary, blocks=closed)

    bolt.event("message", matchers=[is_thread_reply])(ack=acknowledge, lazy=[pass_reply_on])
    bolt.action(blocks.HANDOFF_CLOSE)(ack=acknowledge, lazy=[close_handoff])
