"""The neutral message and reply that every channel translates to and from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Channel(StrEnum):
    TERMINAL = "terminal"
    WEB = "web"
    SLACK = "slack"
    TEAMS = "teams"


class Audience(StrEnum):
    """Who is asking: parents and pupils get the public wording, staff the staff wording."""

    PUBLIC = "public"
    STAFF = "staff"


@dataclass(frozen=True)
class Message:
    channel: Channel
    conversation_id: str
    text: str
    received_at: datetime
    audience: Audience = Audience.PUBLIC
    user: str | None = None
    # The platform's own id for this message (Slack event id, Teams activity id, ...): handling the
    # same source id twice must not do the work twice.
    source_id: str | None = None


@dataclass(frozen=True)
class Choice:
    """A button: `label` is shown, `value` is sent back as the next message's text when chosen."""

    label: str
    value: str


@dataclass(frozen=True)
class MatchInfo:
    """Why the bot answered as it did, so staff can see which phrasing matched and its score."""

    intent: str | None
    score: float
    example: str | None
    outcome: str  # "answer", "did_you_mean" or "fallback"


@dataclass(frozen=True)
class Reply:
    # Markdown subset: paragraphs, "- " bullet lists, **bold** and [text](url) links.
    text: str
    choices: tuple[Choice, ...] = field(default_factory=tuple)
    match: MatchInfo | None = None
    ticket_reference: str | None = None
    # True when the same source message was handled before: channels that post (Slack, Teams)
    # must not post this reply a second time.
    duplicate: bool = False
