"""A Teams activity read as the neutral Message, and what a card button sent back with it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from microsoft_agents.activity import Activity

from bot.types import Audience, Channel, Message

# Keys in an Action.Submit's data: a chat button's value, or a triage card's action.
CHOICE_KEY = "choice"
TRIAGE_KEY = "triage"

_MENTION = re.compile(r"<at>.*?</at>", re.IGNORECASE | re.DOTALL)


def conversation_key(teams_conversation_id: str) -> str:
    """The handler's id for a Teams conversation.

    Teams ids run past a hundred characters (a channel thread is the channel id plus
    ";messageid=..."), and the conversation tables hold 64, so the id is hashed; the prefix keeps
    it apart from every other channel's ids.
    """
    digest = hashlib.sha256(teams_conversation_id.encode("utf-8")).hexdigest()[:48]
    return f"teams:{digest}"


def is_personal(activity: Activity) -> bool:
    """A one-to-one chat with the bot (not a channel or a group chat)."""
    return (activity.conversation.conversation_type or "personal") == "personal"


def tenant_of(activity: Activity) -> str | None:
    """The Microsoft 365 tenant the activity came from, as Teams reports it."""
    if activity.conversation and activity.conversation.tenant_id:
        return str(activity.conversation.tenant_id).lower()
    data = activity.channel_data
    tenant = data.get("tenant") if isinstance(data, Mapping) else None
    if isinstance(tenant, Mapping) and tenant.get("id"):
        return str(tenant["id"]).lower()
    return None


def actor(activity: Activity) -> str:
    """Who acted, for the audit trail: 'teams:<Entra object id> (Display Name)'."""
    sender = activity.from_property
    who = (sender.aad_object_id or sender.id) if sender else None
    name = (sender.name or "").strip() if sender else ""
    label = f"teams:{who or 'unknown'}"
    return f"{label} ({name})" if name else label


def display_name(activity: Activity) -> str:
    """The sender's name as Teams shows it, for a ticket's assignee."""
    sender = activity.from_property
    return (sender.name or "").strip() if sender and sender.name else actor(activity)


def card_data(activity: Activity) -> Mapping[str, Any]:
    """What an Adaptive Card's Action.Submit sent: its data merged with the card's inputs."""
    value = activity.value
    return value if isinstance(value, Mapping) else {}


def text_of(activity: Activity) -> str:
    """What the person said: a chosen button's value, or their words without the @mention."""
    choice = card_data(activity).get(CHOICE_KEY)
    if isinstance(choice, str):
        return choice
    text = activity.remove_recipient_mention() if activity.recipient else (activity.text or "")
    # Mentions of anyone else stay as their names; Teams' <at> markup never reaches the handler.
    return _MENTION.sub(lambda m: m.group(0)[4:-5], text).strip()


def to_message(activity: Activity) -> Message:
    """The neutral message for the one conversation handler: staff wording, Teams channel."""
    conversation = conversation_key(activity.conversation.id)
    return Message(
        channel=Channel.TEAMS,
        conversation_id=conversation,
        text=text_of(activity),
        received_at=datetime.now(UTC),
        audience=Audience.STAFF,
        user=actor(activity),
        # Teams message ids are unique within a conversation, not across them.
        source_id=f"{conversation}:{activity.id}" if activity.id else None,
    )
