"""The formal-request intake, one state machine: a few questions in chat, then a ticket.

Channel-agnostic: the handler routes every message here while an intake is open (and the offer
buttons that start one). The state lives in the conversation store between messages, so a
restart or another worker picks up exactly where the person was. What it says is in
answers/intake/ and answers/buttons.yaml; the words it understands in answers/intake/words.yaml.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from bot.content.answers import Answers
from bot.content.intents import IntentKind
from bot.content.matching import Decision, Matcher, Outcome
from bot.conversation.intake_answers import (
    InvalidAnswer,
    read_channel,
    read_contact,
    read_details,
    read_name,
    read_received,
    read_relationship,
    read_yes_no,
)
from bot.conversation.intake_prompts import (
    CHOICE_PREFIX,
    EDIT_PREFIX,
    NOT_NOW,
    START_PREFIX,
    IntakePrompts,
    format_date,
)
from bot.conversation.intake_words import IntakeWords
from bot.conversation.state import ConversationState, IntakeState, Offer, Step
from bot.rules.clock import LONDON
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Relationship, RequestChannel, TicketError
from bot.storage.errors import StorageUnavailable
from bot.types import Audience, Channel, Message, Reply

if TYPE_CHECKING:
    from bot.tickets.service import NewRequest, RequestService, TicketView

log = logging.getLogger(__name__)

CHANNEL_OF: Mapping[Channel, RequestChannel] = {
    Channel.WEB: RequestChannel.WEB_CHAT,
    Channel.SLACK: RequestChannel.SLACK,
    Channel.TEAMS: RequestChannel.TEAMS,
    # The terminal stands in for the web chat when a school tries the bot out.
    Channel.TERMINAL: RequestChannel.WEB_CHAT,
}
# A pupil or a member of staff asking about themselves is the person the data is about.
_ABOUT_THEMSELVES = frozenset({Relationship.PUPIL, Relationship.STAFF})

TicketListener = Callable[["TicketView"], None]


class Intake:
    """Starts, continues and finishes formal requests; `requests` None means it cannot log."""

    def __init__(
        self,
        matcher: Matcher,
        answers: Answers,
        requests: RequestService | None,
        on_logged: TicketListener,
    ) -> None:
        self.matcher = matcher
        self.words = IntakeWords.load(answers.directory)
        self.prompts = IntakePrompts(answers, self.words)
        self.requests = requests
        self.on_logged = on_logged

    # -- how a request begins ---------------------------------------------------------------

    def owns(self, text: str, state: ConversationState) -> bool:
        """Whether the message belongs to the intake: one is open, or an offer was answered."""
        return state.intake is not None or text.startswith(START_PREFIX) or text == NOT_NOW

    def recognise(
        self, message: Message, text: str, decision: Decision, state: ConversationState
    ) -> Reply | None:
        """A message that makes a request: start the intake, or propose it when not plain."""
        if self.requests is None or self.words.is_question(text):
            return None
        top = decision.options[0] if decision.outcome is Outcome.ANSWER else None
        intent_kind = top.intent.request_kind if top is not None else None
        kind = self.words.kind_in(text, preferred=intent_kind) or intent_kind
        plain = self.words.is_plain_request(text)
        if kind is None:
            return None
        if intent_kind is not None and plain:
            return self.start(message, state, kind, message.received_at, text)
        # Made like a request but not in so many words, or in so many words but about no right
        # the closest answer knows: ask before starting. Anything else is answered as asked.
        like_a_request = top is not None and top.is_request and intent_kind is not None
        if not (like_a_request or (plain and intent_kind is None and not _not_covered(decision))):
            return None
        state.offer = Offer(kind, message.received_at, text)
        return self.prompts.proposal(message.audience, kind)

    def offer(
        self, kind: TicketKind, message: Message, state: ConversationState, first_words: str
    ) -> Reply:
        """After a rights answer: offer to log the request, remembering when it was asked."""
        kind = self.words.kind_in(first_words, preferred=kind) or kind
        state.offer = Offer(kind, message.received_at, first_words)
        return self.prompts.offer(message.audience, kind, can_log=self.requests is not None)

    def start(
        self,
        message: Message,
        state: ConversationState,
        kind: TicketKind,
        received_at: datetime,
        first_words: str,
        *,
        choose_kind: bool = False,
    ) -> Reply:
        intake = IntakeState(
            kind=kind,
            received_at=received_at,
            first_words=first_words,
            audience=message.audience,
            id=uuid.uuid4().hex,
        )
        intake.step = Step.KIND if choose_kind else self._next_step(intake)
        intake.editing = choose_kind
        state.intake = intake
        return self.prompts.ask(intake, shown_step="kind" if choose_kind else "start")

    # -- every message while an intake is open -----------------------------------------------

    def handle(self, message: Message, text: str, state: ConversationState) -> Reply:
        intake = state.intake
        if intake is None:
            return self._answer_offer(message, text, state)
        if text == f"{CHOICE_PREFIX}cancel" or self.words.said("cancel", text):
            state.intake = None
            return self.prompts.said("cancelled", intake.audience, intake.kind)
        if text == f"{CHOICE_PREFIX}back" or self.words.said("back", text):
            if intake.history:
                intake.step = intake.history.pop()
                intake.answers.clear(intake.step)
            intake.editing = False
            return self.prompts.ask(intake)
        if text.startswith(EDIT_PREFIX):
            return self._edit(intake, text.removeprefix(EDIT_PREFIX))
        if intake.step is Step.CONFIRM:
            return self._confirm(message, text, intake, state)
        if intake.step is Step.CHANGE:
            return self._question_or(message, text, intake, "unexpected")
        return self._answer(message, text, intake)

    def _answer_offer(self, message: Message, text: str, state: ConversationState) -> Reply:
        offer, state.offer = state.offer, None
        if text == NOT_NOW:
            kind = offer.kind if offer else TicketKind.SAR
            return self.prompts.said("cancelled", message.audience, kind)
        value = text.removeprefix(START_PREFIX).strip()
        choose_kind = value == "choose"
        try:
            kind = TicketKind(value)
        except ValueError:
            kind = offer.kind if offer else TicketKind.SAR
        if self.requests is None:
            return self.prompts.said("unavailable", message.audience, kind)
        received_at, first_words = message.received_at, ""
        if offer is not None:
            # The clock starts when the person first asked, whichever kind they settle on.
            received_at, first_words = offer.received_at, offer.first_words
        return self.start(message, state, kind, received_at, first_words, choose_kind=choose_kind)

    def _edit(self, intake: IntakeState, field: str) -> Reply:
        asked = {Step.KIND, *self._steps(intake)}
        if field not in {step.value for step in asked}:
            return self.prompts.ask(intake, problem="unexpected")
        intake.step = Step(field)
        intake.editing = True
        return self.prompts.ask(intake)

    def _confirm(
        self, message: Message, text: str, intake: IntakeState, state: ConversationState
    ) -> Reply:
        if text == f"{CHOICE_PREFIX}confirm" or self.words.said("yes", text):
            return self._log(message, intake, state)
        if text == f"{CHOICE_PREFIX}change" or self.words.said("change", text):
            intake.step = Step.CHANGE
            return self.prompts.ask(intake)
        return self._question_or(message, text, intake, "unexpected")

    def _answer(self, message: Message, text: str, intake: IntakeState) -> Reply:
        # "who do you share pupil data with?" is a question, not the answer "pupil"; only the
        # request's own details may be phrased as a question.
        typed = not text.startswith(CHOICE_PREFIX)
        if typed and intake.step is not Step.DETAILS and self.words.is_question(text):
            answered = self._answer_question(text, intake)
            return answered or self.prompts.ask(intake, problem="question")
        today = message.received_at.astimezone(LONDON).date()
        try:
            self._record(intake, text, today)
        except InvalidAnswer as invalid:
            return self._question_or(message, text, intake, invalid.problem)
        intake.history.append(intake.step)
        self._settle_kind(intake)
        following = self._next_step(intake)
        intake.step = Step.CONFIRM if intake.editing and following is Step.CONFIRM else following
        if intake.step is Step.CONFIRM:
            intake.editing = False
        return self.prompts.ask(intake)

    def _question_or(self, message: Message, text: str, intake: IntakeState, problem: str) -> Reply:
        """A question typed mid-intake is answered, then the same question asked again."""
        answered = None if text.startswith(CHOICE_PREFIX) else self._answer_question(text, intake)
        return answered or self.prompts.ask(intake, problem=problem)

    def _answer_question(self, text: str, intake: IntakeState) -> Reply | None:
        decision = self.matcher.decide(text)
        if decision.outcome is not Outcome.ANSWER:
            return None
        intent = decision.options[0].intent
        if intent.kind is IntentKind.OUT_OF_SCOPE:
            return None
        return self.prompts.resume(intake, intent.id)

    def _record(self, intake: IntakeState, text: str, today: date) -> None:
        """Store the answer to the current question, or raise InvalidAnswer."""
        step, answers, words = intake.step, intake.answers, self.words
        value = text.removeprefix(f"{CHOICE_PREFIX}{step.value}:").strip()
        if step is Step.KIND:
            intake.kind = _kind(value) or words.kind_in(value) or _refuse("kind")
        elif step is Step.NAME:
            answers.name = read_name(value, words)
        elif step is Step.SUBJECT:
            answers.subject = read_name(value, words)
        elif step is Step.RELATIONSHIP:
            answers.relationship = read_relationship(value, words)
        elif step is Step.CHILD:
            answers.under_18 = read_yes_no(value, words)
        elif step is Step.CONTACT:
            answers.contact = read_contact(value)
        elif step is Step.DETAILS:
            keep = text == f"{CHOICE_PREFIX}details:keep" and bool(intake.first_words)
            answers.addition = "" if keep else read_details(value)
        elif step is Step.CHANNEL:
            answers.channel = read_channel(value, words)
        elif step is Step.RECEIVED:
            answers.received = read_received(value, today, words)
        else:
            raise InvalidAnswer("unexpected")

    def _settle_kind(self, intake: IntakeState) -> None:
        """The educational-record right is a parent's: a pupil asking for theirs makes a SAR."""
        if (
            intake.kind is TicketKind.EDUCATIONAL_RECORD
            and intake.answers.relationship in _ABOUT_THEMSELVES
        ):
            intake.kind = TicketKind.SAR
            intake.notice = "own_record"

    def _steps(self, intake: IntakeState) -> list[Step]:
        steps = [Step.NAME, Step.RELATIONSHIP]
        relationship = intake.answers.relationship
        if relationship not in _ABOUT_THEMSELVES:
            steps.append(Step.SUBJECT)
        if relationship in {Relationship.REPRESENTATIVE, Relationship.OTHER}:
            steps.append(Step.CHILD)
        steps += [Step.CONTACT, Step.DETAILS]
        if intake.audience is Audience.STAFF:
            steps += [Step.CHANNEL, Step.RECEIVED]
        return steps

    def _next_step(self, intake: IntakeState) -> Step:
        """The first question still unanswered, in the order people find natural."""
        for step in self._steps(intake):
            if not intake.answers.has(step):
                return step
        return Step.CONFIRM

    # -- the end: a ticket --------------------------------------------------------------------

    def _log(self, message: Message, intake: IntakeState, state: ConversationState) -> Reply:
        if self.requests is None:
            return self.prompts.said("unavailable", intake.audience, intake.kind)
        request = self.new_request(intake, CHANNEL_OF[message.channel], message.conversation_id)
        actor = message.user or f"{message.channel.value} chat"
        try:
            ticket = self.requests.log(request, actor=actor)
        except StorageUnavailable as error:
            # Nobody is told a request was logged when it was not; the intake stays open.
            log.error("request from conversation %s not saved: %s", message.conversation_id, error)
            return self.prompts.ask(intake, shown_step="not_saved")
        except TicketError as error:
            log.warning("request from conversation %s refused: %s", message.conversation_id, error)
            return self.prompts.ask(intake, problem="refused", reason=str(error))
        state.intake = None
        log.info("logged %s from conversation %s", ticket.reference, message.conversation_id)
        self.on_logged(ticket)
        return self.prompts.logged(intake, ticket)

    def new_request(
        self, intake: IntakeState, channel: RequestChannel, conversation_id: str
    ) -> NewRequest:
        """The ticket the finished intake describes: the person's first words always kept."""
        from bot.tickets.service import NewRequest

        answers = intake.answers
        relationship = answers.relationship or Relationship.OTHER
        received_at = intake.received_at
        if intake.audience is Audience.STAFF and answers.channel and answers.received:
            channel = answers.channel
            if answers.received != received_at.astimezone(LONDON).date():
                # Only the day counts for the statutory clock; noon avoids any clock-change edge.
                day = answers.received
                received_at = datetime(day.year, day.month, day.day, 12, tzinfo=LONDON)
        name = answers.name or ""
        if relationship in _ABOUT_THEMSELVES:
            subject, is_child = name, relationship is Relationship.PUPIL
        else:
            subject = answers.subject or ""
            is_child = relationship in {Relationship.PARENT, Relationship.CARER} or bool(
                answers.under_18
            )
        return NewRequest(
            kind=intake.kind,
            channel=channel,
            received_at=received_at,
            requester_name=name,
            requester_contact=answers.contact or "",
            requester_relationship=relationship,
            subject_name=subject,
            subject_is_child=is_child,
            request_text=self.prompts.request_text(intake),
            source_key=f"intake:{conversation_id}:{intake.id}",
            conversation_id=conversation_id,
        )


def _kind(value: str) -> TicketKind | None:
    try:
        return TicketKind(value)
    except ValueError:
        return None


def _refuse(problem: str) -> Any:
    raise InvalidAnswer(problem)


def _not_covered(decision: Decision) -> bool:
    """The matcher found the message nearer something the notice does not cover than any topic:
    "the toilets are a disgrace and I want to complain" is no complaint about data handling."""
    nearest_out, best = decision.out_of_scope, decision.best
    return nearest_out is not None and (best is None or nearest_out.score >= best.score)


# format_date is read from here by the Slack and Teams ticket cards.
__all__ = ["CHANNEL_OF", "Intake", "TicketListener", "format_date"]
