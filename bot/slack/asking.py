"""Staff asking in Slack: direct messages, @mentions (answered in the thread), `/privacy`.

Each listener acknowledges at once and does the work lazily, after Slack has its answer: the
handler may wait on the database, and Slack gives up on an interaction after 3 seconds.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import blocks
from bot.slack.markup import escape, plain_text
from bot.slack.parts import Parts, conversation_id, reported
from bot.tickets.service import TicketFilter, TicketView

Body = dict[str, Any]


async def acknowledge(ack: AsyncAck) -> None:
    await ack()


async def is_direct_message(event: Body) -> bool:
    return event.get("channel_type") == "im" and _from_a_person(event)


def _from_a_person(event: Body) -> bool:
    # Edits, deletions, joins and other bots' posts are not questions.
    return not event.get("subtype") and not event.get("bot_id") and bool(event.get("user"))


def register(bolt: AsyncApp, parts: Parts) -> None:
    """Add the asking listeners to `bolt`."""
    _register_messages(bolt, parts)
    _register_choices(bolt, parts)
    _register_command(bolt, parts)


def _register_messages(bolt: AsyncApp, parts: Parts) -> None:
    """A direct message, or a mention in a channel (answered in its thread)."""

    @reported
    async def answer_direct_message(event: Body, body: Body, client: AsyncWebClient) -> None:
        channel = event["channel"]
        conversation = conversation_id(body.get("team_id", ""), channel)
        actor, _ = await parts.actor(client, event["user"])
        reply = await parts.ask(
            conversation, plain_text(event.get("text", "")), actor, f"slack:{body['event_id']}"
        )
        if reply is not None:
            await client.chat_postMessage(
                channel=channel,
                text=blocks.reply_text(reply),
                blocks=blocks.reply_blocks(reply, conversation),
            )

    @reported
    async def answer_mention(event: Body, body: Body, client: AsyncWebClient) -> None:
        channel = event["channel"]
        thread = event.get("thread_ts") or event["ts"]
        conversation = conversation_id(body.get("team_id", ""), channel, thread)
        actor, _ = await parts.actor(client, event.get("user", ""))
        reply = await parts.ask(
            conversation, plain_text(event.get("text", "")), actor, f"slack:{body['event_id']}"
        )
        if reply is not None:
            await client.chat_postMessage(
                channel=channel,
                thread_ts=thread,
                text=blocks.reply_text(reply),
                blocks=blocks.reply_blocks(reply, conversation),
            )

    bolt.event("message", matchers=[is_direct_message])(
        ack=acknowledge, lazy=[answer_direct_message]
    )
    bolt.event("app_mention")(ack=acknowledge, lazy=[answer_mention])


def _register_choices(bolt: AsyncApp, parts: Parts) -> None:
    """A button pressed under a reply: answered like a typed message, once per message."""

    @reported
    async def answer_choice(body: Body, client: AsyncWebClient, respond: AsyncRespond) -> None:
        action = body["actions"][0]
        conversation = str(action["block_id"]).removeprefix(blocks.CHOICES_BLOCK)
        container = body.get("container") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id", "")
        message_ts = container.get("message_ts", "")
        actor, _ = await parts.actor(client, body["user"]["id"])
        # One answer per message, as in the web chat: a second click on it does nothing.
        source = f"slack:choice:{channel}:{message_ts}"
        reply = await parts.ask(conversation, action["value"], actor, source)
        if reply is None:
            return
        reply_blocks = blocks.reply_blocks(reply, conversation)
        if container.get("is_ephemeral"):
            await respond(
                text=blocks.reply_text(reply), blocks=reply_blocks, replace_original=False
            )
            return
        message = body.get("message") or {}
        await _mark_chosen(client, channel, message, action)
        await client.chat_postMessage(
            channel=channel,
            thread_ts=message.get("thread_ts"),
            text=blocks.reply_text(reply),
            blocks=reply_blocks,
        )

    bolt.action(re.compile(f"^{blocks.CHOICE_ACTION}:"))(ack=acknowledge, lazy=[answer_choice])


def _register_command(bolt: AsyncApp, parts: Parts) -> None:
    """/privacy: help, the log form, the open tickets, or a question."""

    @reported
    async def run_command(body: Body, client: AsyncWebClient, respond: AsyncRespond) -> None:
        words = plain_text(body.get("text", ""))
        first = words.split(maxsplit=1)[0].lower() if words else ""
        if first in ("", "help"):
            await respond(text=parts.messages.triage.say("slack_usage"))
        elif first == "log" and words.lower() == "log":
            await client.views_open(
                trigger_id=body["trigger_id"],
                view=blocks.log_modal(parts.today(), parts.channel_labels, parts.messages),
            )
        elif first == "tickets" and words.lower() == "tickets":
            tickets = await _open_tickets(parts)
            listing = blocks.ticket_list_blocks(tickets, parts.today(), parts.messages)
            await respond(text=f"{len(tickets)} open requests", blocks=listing)
        else:
            conversation = conversation_id(body["team_id"], body["channel_id"], body["user_id"])
            actor, _ = await parts.actor(client, body["user_id"])
            reply = await parts.ask(conversation, words, actor, None)
            if reply is not None:
                await respond(
                    text=blocks.reply_text(reply), blocks=blocks.reply_blocks(reply, conversation)
                )

    bolt.command("/privacy")(ack=acknowledge, lazy=[run_command])


async def _open_tickets(parts: Parts) -> list[TicketView]:
    return await asyncio.to_thread(parts.requests.list_tickets, TicketFilter())


async def _mark_chosen(client: AsyncWebClient, channel: str, message: Body, action: Body) -> None:
    """Replace the clicked message's buttons with what was chosen, so old ones cannot be used."""
    if not message.get("ts") or not message.get("blocks"):
        return
    chosen = blocks.context(f"→ {escape(str(action.get('text', {}).get('text', '')))}")
    kept = [b for b in message["blocks"] if b.get("type") != "actions"]
    await client.chat_update(
        channel=channel, ts=message["ts"], text=message.get("text", ""), blocks=[*kept, chosen]
    )
