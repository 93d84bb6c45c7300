"""The formal-request intake: a few questions in chat, then a ticket through the request service.

Channel-agnostic: the conversation handler feeds it each message while an intake is open and
keeps its state (a plain dict) in the database between messages, so a restart or another worker
picks up exactly where the person was.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import phonenumbers
from dateutil import parser as date_parser
from email_validator import EmailNotValidError, validate_email

from bot.content.normalise import normalise
from bot.rules.deadlines import TicketKind
from bot.storage.tables import Relationship, RequestChannel
from bot.tickets.service import NewRequest
from bot.types import Audience

LONDON = ZoneInfo("Europe/London")
CHOICE_PREFIX = "intake:"
START_PREFIX = "request:"


class Step(StrEnum):
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


# Fields a person can correct from the summary, in the order the summary shows them.
EDITABLE = (
    Step.NAME,
    Step.RELATIONSHIP,
    Step.SUBJECT,
    Step.CONTACT,
    Step.DETAILS,
    Step.CHANNEL,
    Step.RECEIVED,
)
CANCEL_WORDS = frozenset({"cancel", "stop", "quit", "exit", "never mind", "nevermind", "forget it"})
BACK_WORDS = frozenset({"back", "go back", "previous", "undo"})
YES_WORDS = frozenset({"yes", "y", "yeah", "yep", "ok", "okay", "confirm", "log it", "correct"})
NO_WORDS = frozenset({"no", "n", "nope"})

# Typed answers to "who is the information about?", besides the buttons' own values.
_RELATIONSHIP_WORDS: Mapping[str, Relationship] = {
    "parent": Relationship.PARENT,
    "mum": Relationship.PARENT,
    "mother": Relationship.PARENT,
    "dad": Relationship.PARENT,
    "father": Relationship.PARENT,
    "my child": Relationship.PARENT,
    "carer": Relationship.CARER,
    "guardian": Relationship.CARER,
    "foster": Relationship.CARER,
    "pupil": Relationship.PUPIL,
    "me": Relationship.PUPIL,
    "myself": Relationship.PUPIL,
    "student": Relationship.PUPIL,
    "staff": Relationship.STAFF,
    "teacher": Relationship.STAFF,
    "solicitor": Relationship.REPRESENTATIVE,
    "representative": Relationship.REPRESENTATIVE,
    "acting for": Relationship.REPRESENTATIVE,
    "advocate": Relationship.REPRESENTATIVE,
    "other": Relationship.OTHER,
}
_STAFF_CHANNELS = (
    RequestChannel.PHONE,
    RequestChannel.LETTER,
    RequestChannel.EMAIL,
    RequestChannel.IN_PERSON,
)
INTAKE_CHANNELS = (*_STAFF_CHANNELS, RequestChannel.WEB_CHAT)
# Every message the intake template renders, and every reason an answer can be refused.
INTAKE_MESSAGES = (
    "start",
    *(s.value for s in Step),
    "logged",
    "cancelled",
    "unavailable",
    "not_saved",
)
INTAKE_PROBLEMS = (
    "name",
    "relationship",
    "yes_no",
    "contact",
    "channel",
    "date",
    "future_date",
    "empty",
    "refused",
    "unexpected",
)
_LETTERS = re.compile(r"[^\W\d_]")
MAX_NAME = 120
MAX_DETAILS = 2000


@dataclass
class Intake:
    """One request being taken down; `to_state`/`from_state` round-trip it through JSON."""

    kind: TicketKind
    received_at: datetime
    request_text: str
    audience: Audience
    step: Step = Step.NAME
    answers: dict[str, str] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    editing: bool = False
    id: str = ""

    def to_state(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "received_at": self.received_at.isoformat(),
            "request_text": self.request_text,
            "audience": self.audience.value,
            "step": self.step.value,
            "answers": self.answers,
            "history": self.history,
            "editing": self.editing,
            "id": self.id,
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Intake:
        return cls(
            kind=TicketKind(state["kind"]),
            received_at=datetime.fromisoformat(state["received_at"]),
            request_text=state["request_text"],
            audience=Audience(state["audience"]),
            step=Step(state["step"]),
            answers=dict(state["answers"]),
            history=list(state["history"]),
            editing=bool(state["editing"]),
            id=state["id"],
        )

    @property
    def relationship(self) -> Relationship | None:
        value = self.answers.get("relationship")
        return Relationship(value) if value else None

    def next_step(self) -> Step:
        """The first question still unanswered, in the order people find natural."""
        for step in self.steps():
            if step.value not in self.answers:
                return step
        return Step.CONFIRM

    def steps(self) -> list[Step]:
        steps = [Step.NAME, Step.RELATIONSHIP]
        relationship = self.relationship
        # A pupil or a member of staff asking about themselves is the data subject.
        if relationship not in {Relationship.PUPIL, Relationship.STAFF}:
            steps.append(Step.SUBJECT)
        if relationship in {Relationship.REPRESENTATIVE, Relationship.OTHER}:
            steps.append(Step.CHILD)
        steps += [Step.CONTACT, Step.DETAILS]
        if self.audience is Audience.STAFF:
            steps += [Step.CHANNEL, Step.RECEIVED]
        return steps


# Words that make a message a request being made now ("I want a copy of everything you hold on
# my son") rather than a question about the right ("how do I get a copy?"). A question word
# anywhere keeps it a question: the bot then answers and offers to log it instead.
_REQUEST_CUES = re.compile(
    r"\b(i want|i would like|i wish to|i am making|i am requesting|i request|i object|"
    r"i demand|i need a copy|i need you to|i am submitting|i am complaining|i am asking for|"
    r"please send|please give|please delete|please remove|please erase|please correct|"
    r"please stop|please provide|send me|give me|stop sending|stop using|this is a)\b"
)
_QUESTION_WORDS = re.compile(r"\b(how|what|where|when|why|which|whether|who)\b")


def is_question(text: str) -> bool:
    return text.rstrip().endswith("?") or _QUESTION_WORDS.search(normalise(text)) is not None


def is_request_phrasing(text: str, *, like_a_request_example: bool = False) -> bool:
    """Whether the message makes a request rather than asks about one."""
    if is_question(text):
        return False
    return like_a_request_example or _REQUEST_CUES.search(normalise(text)) is not None


class InvalidAnswer(Exception):
    """The answer does not fit the question; `problem` names why, for the template."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def interpret(intake: Intake, text: str, today: date) -> str:
    """The stored form of an answer to the current question, or InvalidAnswer."""
    step = intake.step
    value = text.removeprefix(f"{CHOICE_PREFIX}{step.value}:").strip()
    if step in {Step.NAME, Step.SUBJECT}:
        return _name(value)
    if step is Step.RELATIONSHIP:
        return _relationship(value).value
    if step is Step.CHILD:
        return _yes_no(value)
    if step is Step.CONTACT:
        return _contact(value)
    if step is Step.DETAILS:
        if text == f"{CHOICE_PREFIX}details:keep" and intake.request_text:
            return intake.request_text
        if not value:
            raise InvalidAnswer("empty")
        return value[:MAX_DETAILS]
    if step is Step.CHANNEL:
        return _channel(value).value
    if step is Step.RECEIVED:
        return _received(value, today).isoformat()
    raise InvalidAnswer("unexpected")


def _name(value: str) -> str:
    if not _LETTERS.search(value) or len(value) > MAX_NAME or value.endswith("?"):
        raise InvalidAnswer("name")
    return " ".join(value.split())


def _relationship(value: str) -> Relationship:
    try:
        return Relationship(value)
    except ValueError:
        pass
    words = normalise(value)
    for phrase, relationship in _RELATIONSHIP_WORDS.items():
        if re.search(rf"\b{re.escape(phrase)}\b", words):
            return relationship
    raise InvalidAnswer("relationship")


def _yes_no(value: str) -> str:
    words = normalise(value)
    if words in YES_WORDS:
        return "yes"
    if words in NO_WORDS:
        return "no"
    raise InvalidAnswer("yes_no")


def _contact(value: str) -> str:
    if "@" in value:
        try:
            return validate_email(value, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise InvalidAnswer("contact") from error
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException as error:
        raise InvalidAnswer("contact") from error
    if not phonenumbers.is_valid_number(number) or number.country_code != 44:
        raise InvalidAnswer("contact")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


_CHANNEL_WORDS: Mapping[str, RequestChannel] = {
    "phone": RequestChannel.PHONE,
    "call": RequestChannel.PHONE,
    "called": RequestChannel.PHONE,
    "rang": RequestChannel.PHONE,
    "telephone": RequestChannel.PHONE,
    "letter": RequestChannel.LETTER,
    "post": RequestChannel.LETTER,
    "posted": RequestChannel.LETTER,
    "email": RequestChannel.EMAIL,
    "emailed": RequestChannel.EMAIL,
    "person": RequestChannel.IN_PERSON,
    "gate": RequestChannel.IN_PERSON,
    "reception": RequestChannel.IN_PERSON,
    "face": RequestChannel.IN_PERSON,
    "chat": RequestChannel.WEB_CHAT,
}


def _channel(value: str) -> RequestChannel:
    try:
        return RequestChannel(value)
    except ValueError:
        pass
    for word in normalise(value).split():
        if word in _CHANNEL_WORDS:
            return _CHANNEL_WORDS[word]
    raise InvalidAnswer("channel")


def _received(value: str, today: date) -> date:
    words = normalise(value)
    if words in {"today", "received today"}:
        return today
    if words == "yesterday":
        return date.fromordinal(today.toordinal() - 1)
    try:
        received = date_parser.parse(
            value, dayfirst=True, default=datetime(today.year, 1, 1)
        ).date()
    except (ValueError, OverflowError) as error:
        raise InvalidAnswer("date") from error
    if received > today:
        raise InvalidAnswer("future_date")
    return received


def summary(intake: Intake, labels: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows for the confirmation, in the order the questions were asked."""
    rows = []
    for step in intake.steps():
        value = intake.answers.get(step.value)
        if value is None or step is Step.CHILD:
            continue
        if step is Step.RELATIONSHIP:
            value = labels["relationship"][value]
        elif step is Step.CHANNEL:
            value = labels["channel"][value]
        elif step is Step.RECEIVED:
            value = format_date(date.fromisoformat(value))
        rows.append((labels["fields"][step.value], value))
    return rows


def new_request(intake: Intake, channel: RequestChannel, conversation_id: str) -> NewRequest:
    """The ticket the finished intake describes."""
    answers = intake.answers
    relationship = Relationship(answers["relationship"])
    received_at = intake.received_at
    if intake.audience is Audience.STAFF:
        channel = RequestChannel(answers["channel"])
        received_on = date.fromisoformat(answers["received"])
        if received_on != received_at.astimezone(LONDON).date():
            # Only the day counts for the statutory clock; noon avoids any clock-change edge.
            received_at = datetime(
                received_on.year, received_on.month, received_on.day, 12, tzinfo=LONDON
            )
    if relationship in {Relationship.PUPIL, Relationship.STAFF}:
        subject, is_child = answers["name"], relationship is Relationship.PUPIL
    else:
        subject = answers["subject"]
        is_child = (
            relationship in {Relationship.PARENT, Relationship.CARER}
            or answers.get("child") == "yes"
        )
    return NewRequest(
        kind=intake.kind,
        channel=channel,
        received_at=received_at,
        requester_name=answers["name"],
        requester_contact=answers["contact"],
        requester_relationship=relationship,
        subject_name=subject,
        subject_is_child=is_child,
        request_text=answers["details"],
        source_key=f"intake:{conversation_id}:{intake.id}",
        conversation_id=conversation_id,
    )


def format_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"
