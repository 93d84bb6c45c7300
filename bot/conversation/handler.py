"""The one handler every channel calls: a Message in, a Reply out.

It answers questions itself and routes everything about a formal request to the intake
(bot/conversation/intake.py), and a conversation staff have taken over to the hand-off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.content.answers import Answers, load_facts
from bot.content.intents import Intent, IntentKind
from bot.content.matching import Candidate, Decision, Matcher, Outcome
from bot.conversation.handoff import (
    HANDOFF_DECLINE,
    HANDOFF_START,
    MISSES_BEFORE_OFFER,
    HandoffGateway,
    HandoffUnavailable,
)
from bot.conversation.intake import Intake, TicketListener
from bot.conversation.state import ConversationState
from bot.rules.deadlines import TicketKind
from bot.storage.errors import StorageUnavailable
from bot.types import Audience, Channel, Choice, MatchInfo, Message, Reply

if TYPE_CHECKING:
    from bot.conversation.store import ConversationStore
    from bot.tickets.service import RequestService, TicketView

log = logging.getLogger(__name__)

# A chosen "did you mean" button sends this back, so the choice never depends on matching again.
CHOOSE_INTENT_PREFIX = "intent:"
# Suggested next questions per intent and audience (a greeting's), shown as buttons.
SUGGESTIONS_FILE = "suggestions.yaml"

ReplyListener = Callable[[Message, Reply], None]


class BadInput(Exception):
    """Text the bot cannot take: `problem` is one of empty, too_long, unreadable."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def check_text(text: str, max_chars: int) -> str:
    """The text to work on, or BadInput saying plainly what is wrong with it."""
    if "\ufffd" in text:
        # Bytes that were not UTF-8 were replaced on the way in; guessing at them could mislead.
        raise BadInput("unreadable")
    cleaned = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t").strip()
    if not cleaned:
        raise BadInput("empty")
    if len(cleaned) > max_chars:
        raise BadInput("too_long")
    return cleaned


@dataclass
class Conversation:
    """Answers from the notice and routes formal requests to the intake; words live in answers/."""

    matcher: Matcher
    answers: Answers
    max_message_chars: int = 2000
    # Without these the bot still answers questions, and points requests to the office.
    store: ConversationStore | None = None
    requests: RequestService | None = None
    ticket_listeners: list[TicketListener] = field(default_factory=list)
    # Told of every reply (after it is saved), e.g. to count the questions the bot missed.
    reply_listeners: list[ReplyListener] = field(default_factory=list)
    # Set when a staff platform can take over web chats; without it the bot gives the contact.
    handoff: HandoffGateway | None = None
    _intake: Intake | None = field(default=None, init=False, repr=False)
    _suggestions: Mapping[str, Any] | None = field(default=None, init=False, repr=False)

    @property
    def buttons(self) -> Mapping[str, Any]:
        return self.answers.buttons

    @property
    def can_log(self) -> bool:
        return self.store is not None and self.requests is not None

    @property
    def intake(self) -> Intake:
        if self._intake is None:
            self._intake = Intake(self.matcher, self.answers, None, self._announce)
        # Read each time: a channel (or a test) may give the handler its request service later.
        self._intake.requests = self.requests if self.can_log else None
        return self._intake

    def handle(self, message: Message) -> Reply:
        try:
            text = check_text(message.text, self.max_message_chars)
        except BadInput as bad:
            reply = Reply(
                self.answers.render(
                    "_bad_input",
                    message.audience,
                    problem=bad.problem,
                    limit=self.max_message_chars,
                )
            )
        else:
            reply = self._handle(message, text)
        for listener in self.reply_listeners:
            try:
                listener(message, reply)
            except Exception:  # a listener's failure must never cost the person their reply
                log.exception("reply listener failed in conversation %s", message.conversation_id)
        return reply

    def _handle(self, message: Message, text: str) -> Reply:
        if self.store is None:
            return self._respond(message, text, ConversationState(), storage_ok=False)
        try:
            state, earlier = self.store.open(message)
        except StorageUnavailable as error:
            log.warning("conversation store unavailable: %s", error)
            return self._without_state(message, text)
        if earlier is not None:
            return earlier
        in_intake = state.intake is not None or self.intake.owns(text, state)
        try:
            reply = self._respond(message, text, state, storage_ok=True)
        except Exception:
            if not in_intake:
                raise
            # Nothing is saved, so the step the person was on is still there when they retry.
            log.exception("intake step failed in conversation %s", message.conversation_id)
            return self._failed(message)
        try:
            self.store.save(message, state, reply)
        except StorageUnavailable as error:
            log.warning("conversation %s not saved: %s", message.conversation_id, error)
            if (in_intake or state.intake is not None) and reply.ticket_reference is None:
                return self._failed(message)
        return reply

    def _failed(self, message: Message) -> Reply:
        return self.intake.prompts.said("failed", message.audience, TicketKind.SAR)

    def _without_state(self, message: Message, text: str) -> Reply:
        """The conversation cannot be read: answer a plain question, else say nothing is lost."""
        decision = self.matcher.decide(text)
        if (
            decision.outcome is Outcome.ANSWER
            and self.intake.words.is_question(text)
            and not self.intake.owns(text, ConversationState())
        ):
            return self.reply_to(decision, message, ConversationState(), storage_ok=False)
        return self._failed(message)

    def _respond(
        self, message: Message, text: str, state: ConversationState, storage_ok: bool
    ) -> Reply:
        if state.handoff:
            relayed = self._relay(message, text, state)
            if relayed is not None:
                return relayed
        if self.intake.owns(text, state):
            return self.intake.handle(message, text, state)
        if text == HANDOFF_START:
            return self._open_handoff(message, state, storage_ok)
        if text == HANDOFF_DECLINE:
            state.misses = 0
            return Reply(self.answers.render("_handoff", message.audience, step="declined"))
        reply = self._respond_to_question(message, text, state, storage_ok)
        return self._maybe_offer_person(message, reply, state, storage_ok)

    def _respond_to_question(
        self, message: Message, text: str, state: ConversationState, storage_ok: bool
    ) -> Reply:
        state.offer = None  # an offer not taken up lapses when the person moves on
        if text.startswith(CHOOSE_INTENT_PREFIX):
            chosen = self._intent_by_id(text.removeprefix(CHOOSE_INTENT_PREFIX).strip())
            if chosen is not None:
                info = MatchInfo(chosen.id, 100.0, None, Outcome.ANSWER.value)
                return self.answer(chosen, message, info, state, storage_ok)
        decision = self.matcher.decide(text)
        if storage_ok:
            started = self.intake.recognise(message, text, decision, state)
            if started is not None:
                return started
        return self.reply_to(decision, message, state, storage_ok)

    # -- handing over to a person -------------------------------------------------------------

    def _can_hand_off(self, message: Message, storage_ok: bool) -> bool:
        return (
            self.handoff is not None
            and storage_ok
            and message.audience is Audience.PUBLIC
            and message.channel is Channel.WEB
        )

    def _maybe_offer_person(
        self, message: Message, reply: Reply, state: ConversationState, storage_ok: bool
    ) -> Reply:
        """After asking for a person, or two replies in a row that did not help, offer one."""
        match = reply.match
        if match is None or (reply.choices and match.outcome != Outcome.ANSWER.value):
            return reply
        asked = match.intent == "talk_to_person"
        missed = match.outcome == Outcome.FALLBACK.value
        state.misses = state.misses + 1 if missed else 0
        can_hand_off = self._can_hand_off(message, storage_ok)
        if missed and state.misses >= MISSES_BEFORE_OFFER:
            # Saying the same fallback again helps nobody: point to a person instead.
            text = self.answers.render("_no_help", message.audience, can_hand_off=can_hand_off)
            reply = Reply(text, match=match)
            state.misses = 0  # and not again at once: the next miss gets the usual fallback
        elif not asked or not can_hand_off:
            return reply
        if not can_hand_off:
            return reply
        offer = self.answers.render("_handoff", message.audience, step="offer")
        return Reply(
            f"{reply.text}\n\n{offer}" if asked else reply.text,
            choices=(
                *reply.choices,
                Choice(self.buttons["handoff"], HANDOFF_START),
                Choice(self.buttons["not_now"], HANDOFF_DECLINE),
            ),
            match=match,
        )

    def _open_handoff(self, message: Message, state: ConversationState, storage_ok: bool) -> Reply:
        if not self._can_hand_off(message, storage_ok) or self.store is None:
            return Reply(self.answers.render("_handoff", message.audience, step="unavailable"))
        assert self.handoff is not None
        try:
            transcript = self.store.transcript(message.conversation_id)
            self.handoff.open(message.conversation_id, transcript)
        except (HandoffUnavailable, StorageUnavailable) as error:
            log.warning("hand-off for conversation %s failed: %s", message.conversation_id, error)
            return Reply(self.answers.render("_handoff", message.audience, step="unavailable"))
        state.handoff = True
        state.misses = 0
        return Reply(self.answers.render("_handoff", message.audience, step="opened"))

    def _relay(self, message: Message, text: str, state: ConversationState) -> Reply | None:
        """While staff have the conversation, pass messages on; None once they have closed it."""
        gateway = self.handoff
        try:
            if gateway is None or not gateway.is_open(message.conversation_id):
                state.handoff = False
                return None
            gateway.relay(message.conversation_id, text)
        except (HandoffUnavailable, StorageUnavailable) as error:
            # Nothing is lost: the message is in the transcript, and the person is told to email.
            log.warning("relay for conversation %s failed: %s", message.conversation_id, error)
            return Reply(self.answers.render("_handoff", message.audience, step="unavailable"))
        return Reply(self.answers.render("_handoff", message.audience, step="relayed"))

    # -- answering ----------------------------------------------------------------------------

    def _intent_by_id(self, intent_id: str) -> Intent | None:
        for intent in self.matcher.intents:
            if intent.id == intent_id and intent.kind is not IntentKind.OUT_OF_SCOPE:
                return intent
        return None

    def reply_to(
        self,
        decision: Decision,
        message: Message,
        state: ConversationState | None = None,
        storage_ok: bool = False,
    ) -> Reply:
        info = _match_info(decision)
        audience = message.audience
        if decision.outcome is Outcome.ANSWER:
            return self.answer(decision.options[0].intent, message, info, state, storage_ok)
        if decision.outcome is Outcome.DID_YOU_MEAN:
            text = self.answers.render(
                "_did_you_mean", audience, options=[c.intent.title for c in decision.options]
            )
            choices = tuple(
                Choice(c.intent.title, CHOOSE_INTENT_PREFIX + c.intent.id) for c in decision.options
            )
            return Reply(text, choices=choices, match=info)
        # The topic it came near lets the template say more: a complaint that is not about
        # personal data is pointed to the school's complaints procedure.
        near = decision.near_miss
        closest = near.intent.id if near is not None else None
        return Reply(self.answers.render("_fallback", audience, closest=closest), match=info)

    def answer(
        self,
        intent: Intent,
        message: Message,
        info: MatchInfo,
        state: ConversationState | None = None,
        storage_ok: bool = False,
    ) -> Reply:
        audience = message.audience
        text = self.answers.render(intent.id, audience)
        kind = intent.request_kind
        if kind is None:
            return Reply(text, choices=self._suggested(intent.id, audience), match=info)
        if self.can_log and storage_ok and state is not None:
            # A "did you mean" button's value is not the person's words; their question was.
            own = "" if message.text.startswith(CHOOSE_INTENT_PREFIX) else message.text
            offer = self.intake.offer(kind, message, state, own)
        else:
            offer = self.intake.prompts.offer(audience, kind, can_log=False)
        joined = f"{text}\n\n{offer.text}" if offer.text else text
        return Reply(joined, choices=offer.choices, match=info)

    def greeting(self, audience: Audience) -> Reply:
        """The first message of a conversation, its suggested questions as buttons."""
        text = self.answers.render("greeting", audience)
        return Reply(text, choices=self._suggested("greeting", audience))

    def _suggested(self, intent_id: str, audience: Audience) -> tuple[Choice, ...]:
        """Questions worth asking next (after a greeting), as buttons that ask them."""
        if self._suggestions is None:
            path = self.answers.directory / SUGGESTIONS_FILE
            self._suggestions = load_facts(path) if path.is_file() else {}
        questions = self._suggestions.get(intent_id, {}).get(audience.value, [])
        return tuple(Choice(question, question) for question in questions)

    def _announce(self, ticket: TicketView) -> None:
        for listener in self.ticket_listeners:
            try:
                listener(ticket)
            except Exception:  # a channel's failure must never undo or hide a logged request
                log.exception("ticket listener failed for %s", ticket.reference)


def _match_info(decision: Decision) -> MatchInfo:
    best: Candidate | None = decision.options[0] if decision.options else decision.best
    if best is None:
        return MatchInfo(None, 0.0, None, decision.outcome.value)
    intent = best.intent.id if decision.outcome is not Outcome.FALLBACK else None
    return MatchInfo(intent, round(best.score, 1), best.example, decision.outcome.value)


__all__ = ["BadInput", "Conversation", "ReplyListener", "check_text"]
