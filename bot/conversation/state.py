"""A conversation's state between messages, typed, and its JSON form in the conversation store.

Rows written before the state was typed (version 1) are still read: the keys are the same, and
version 1's `details` replaced the person's first words, so it is read as an addition to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Relationship, RequestChannel
from bot.types import Audience

STATE_VERSION = 2


class Step(StrEnum):
    """The intake's questions, plus the summary (confirm), its menu (change) and the kind."""

    KIND = "kind"
    NAME = "name"
    RELATIONSHIP = "relationship"
    SUBJECT = "subject"
    CHILD = "child"
    CONTACT = "contact"
    DETAILS = "details"
    CHANNEL = "channel"
    RECEIVED = "received"
    CONFIRM = "confirm"
    CHANGE = "change"


@dataclass
class IntakeAnswers:
    """What the person has answered so far; None is a question not yet answered."""

    name: str | None = None
    relationship: Relationship | None = None
    subject: str | None = None
    under_18: bool | None = None
    contact: str | None = None
    # Added to the person's first words, never instead of them; "" when they added nothing.
    addition: str | None = None
    channel: RequestChannel | None = None
    received: date | None = None

    def has(self, step: Step) -> bool:
        return self._value(step) is not None

    def _value(self, step: Step) -> object:
        values: dict[Step, object] = {
            Step.NAME: self.name,
            Step.RELATIONSHIP: self.relationship,
            Step.SUBJECT: self.subject,
            Step.CHILD: self.under_18,
            Step.CONTACT: self.contact,
            Step.DETAILS: self.addition,
            Step.CHANNEL: self.channel,
            Step.RECEIVED: self.received,
        }
        return values.get(step)

    def clear(self, step: Step) -> None:
        if step is Step.NAME:
            self.name = None
        elif step is Step.RELATIONSHIP:
            self.relationship = None
        elif step is Step.SUBJECT:
            self.subject = None
        elif step is Step.CHILD:
            self.under_18 = None
        elif step is Step.CONTACT:
            self.contact = None
        elif step is Step.DETAILS:
            self.addition = None
        elif step is Step.CHANNEL:
            self.channel = None
        elif step is Step.RECEIVED:
            self.received = None

    def to_json(self) -> dict[str, Any]:
        raw: dict[str, Any] = {
            "name": self.name,
            "relationship": self.relationship.value if self.relationship else None,
            "subject": self.subject,
            "child": None if self.under_18 is None else ("yes" if self.under_18 else "no"),
            "contact": self.contact,
            "addition": self.addition,
            "channel": self.channel.value if self.channel else None,
            "received": self.received.isoformat() if self.received else None,
        }
        return {key: value for key, value in raw.items() if value is not None}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any], first_words: str, version: int) -> IntakeAnswers:
        addition = raw.get("addition")
        if version < 2 and "details" in raw:
            details = str(raw["details"])
            addition = "" if details == first_words else details
        child = raw.get("child")
        return cls(
            name=raw.get("name"),
            relationship=Relationship(raw["relationship"]) if raw.get("relationship") else None,
            subject=raw.get("subject"),
            under_18=None if child is None else child == "yes",
            contact=raw.get("contact"),
            addition=addition,
            channel=RequestChannel(raw["channel"]) if raw.get("channel") else None,
            received=date.fromisoformat(raw["received"]) if raw.get("received") else None,
        )


@dataclass
class IntakeState:
    """One request being taken down."""

    kind: TicketKind
    received_at: datetime  # when the person first asked: the statutory clock runs from this day
    first_words: str  # the person's own words that started it, kept on the ticket as they were
    audience: Audience
    id: str
    step: Step = Step.NAME
    answers: IntakeAnswers = field(default_factory=IntakeAnswers)
    history: list[Step] = field(default_factory=list)
    editing: bool = False
    # Why the kind changed by itself (a pupil's educational-record request is a SAR), shown once.
    notice: str | None = None

    def to_json(self) -> dict[str, Any]:
        raw: dict[str, Any] = {
            "kind": self.kind.value,
            "received_at": self.received_at.isoformat(),
            "request_text": self.first_words,
            "audience": self.audience.value,
            "id": self.id,
            "step": self.step.value,
            "answers": self.answers.to_json(),
            "history": [step.value for step in self.history],
            "editing": self.editing,
        }
        if self.notice:
            raw["notice"] = self.notice
        return raw

    @classmethod
    def from_json(cls, raw: Mapping[str, Any], version: int) -> IntakeState:
        first_words = str(raw.get("request_text", ""))
        return cls(
            kind=TicketKind(raw["kind"]),
            received_at=datetime.fromisoformat(raw["received_at"]),
            first_words=first_words,
            audience=Audience(raw["audience"]),
            id=str(raw.get("id", "")),
            step=Step(raw["step"]),
            answers=IntakeAnswers.from_json(raw.get("answers", {}), first_words, version),
            history=[Step(step) for step in raw.get("history", [])],
            editing=bool(raw.get("editing", False)),
            notice=raw.get("notice"),
        )


@dataclass
class Offer:
    """A request the bot offered to log; the clock starts when the person first asked."""

    kind: TicketKind
    received_at: datetime
    first_words: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "received_at": self.received_at.isoformat(),
            "request_text": self.first_words,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Offer:
        return cls(
            kind=TicketKind(raw["kind"]),
            received_at=datetime.fromisoformat(raw["received_at"]),
            first_words=str(raw.get("request_text", "")),
        )


@dataclass
class ConversationState:
    """Everything the bot remembers about one conversation between two messages."""

    intake: IntakeState | None = None
    offer: Offer | None = None
    # Replies in a row that did not help: the second one offers a person instead.
    misses: int = 0
    handoff: bool = False

    def to_json(self) -> dict[str, Any]:
        raw: dict[str, Any] = {"version": STATE_VERSION}
        if self.intake is not None:
            raw["intake"] = self.intake.to_json()
        if self.offer is not None:
            raw["offer"] = self.offer.to_json()
        if self.misses:
            raw["misses"] = self.misses
        if self.handoff:
            raw["handoff"] = True
        return raw

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ConversationState:
        version = int(raw.get("version", 1))
        intake, offer = raw.get("intake"), raw.get("offer")
        return cls(
            intake=IntakeState.from_json(intake, version) if intake else None,
            offer=Offer.from_json(offer) if offer else None,
            misses=int(raw.get("misses", 0)),
            handoff=bool(raw.get("handoff", False)),
        )
