"""The one handler every channel calls: a Message in, a Reply out."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.content.answers import Answers
from bot.content.intents import Intent, IntentKind
from bot.content.matching import Candidate, Decision, Matcher, Outcome
from bot.content.normalise import normalise
from bot.conversation.handoff import (
    HANDOFF_DECLINE,
    HANDOFF_START,
    MISSES_BEFORE_OFFER,
    HandoffGateway,
    HandoffUnavailable,
)
from bot.conversation.intake import (
    BACK_WORDS,
    CANCEL_WORDS,
    CHOICE_PREFIX,
    EDITABLE,
    LONDON,
    START_PREFIX,
    YES_WORDS,
    Intake,
    InvalidAnswer,
    Step,
    format_date,
    interpret,
    is_request_phrasing,
    new_request,
    summary,
)
from bot.conversation.store import ConversationStore, State
from bot.rules.deadlines import TicketKind, kind_label
from bot.storage.engine import StorageUnavailable
from bot.storage.tables import RequestChannel, TicketError
from bot.tickets.service import RequestService, TicketView
from bot.types import Audience, Channel, Choice, MatchInfo, Message, Reply

log = logging.getLogger(__name__)

# A chosen "did you mean" button sends this back, so the choice never depends on matching again.
CHOOSE_INTENT_PREFIX = "intent:"
NOT_NOW = f"{CHOICE_PREFIX}not_now"
CHANNEL_OF: Mapping[Channel, RequestChannel] = {
    Channel.WEB: RequestChannel.WEB_CHAT,
    Channel.SLACK: RequestChannel.SLACK,
    Channel.TEAMS: RequestChannel.TEAMS,
    # The terminal stands in for the web chat when a school tries the bot out.
    Channel.TERMINAL: RequestChannel.WEB_CHAT,
}

TicketListener = Callable[[TicketView], None]


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
    """Answers from the notice and takes formal requests; what it says lives in answers/."""

    matcher: Matcher
    answers: Answers
    max_message_chars: int = 2000
    # Without these the bot still answers questions, and points requests to the office.
    store: ConversationStore | None = None
    requests: RequestService | None = None
    ticket_listeners: list[TicketListener] = field(default_factory=list)
    # Set when a staff platform can take over web chats; without it the bot gives the contact.
    handoff: HandoffGateway | None = None

    @property
    def buttons(self) -> Mapping[str, Any]:
        return self.answers.buttons

    def handle(self, message: Message) -> Reply:
        try:
            text = check_text(message.text, self.max_message_chars)
        except BadInput as bad:
            return Reply(
                self.answers.render(
                    "_bad_input",
                    message.audience,
                    problem=bad.problem,
                    limit=self.max_message_chars,
                )
            )
        state: State = {}
        storage_ok = False
        if self.store is not None:
            try:
                state, earlier = self.store.open(message)
                storage_ok = True
            except StorageUnavailable as error:
                log.warning("conversation store unavailable: %s", error)
                earlier = None
            if earlier is not None:
                return earlier
        reply = self._respond(message, text, state, storage_ok)
        if self.store is not None and storage_ok:
            try:
                self.store.save(message, state, reply)
            except StorageUnavailable as error:
                log.warning("conversation %s not saved: %s", message.conversation_id, error)
        return reply

    @property
    def can_log(self) -> bool:
        return self.store is not None and self.requests is not None

    def _respond(self, message: Message, text: str, state: State, storage_ok: bool) -> Reply:
        if state.get("handoff"):
            relayed = self._relay(message, text, state)
            if relayed is not None:
                return relayed
        if "intake" in state:
            return self._continue_intake(message, text, state)
        if text == HANDOFF_START:
            return self._open_handoff(message, state, storage_ok)
        if text == HANDOFF_DECLINE:
            state["misses"] = 0
            return Reply(self.answers.render("_handoff", message.audience, step="declined"))
        reply = self._respond_to_question(message, text, state, storage_ok)
        return self._maybe_offer_person(message, reply, state, storage_ok)

    def _respond_to_question(
        self, message: Message, text: str, state: State, storage_ok: bool
    ) -> Reply:
        offer = state.pop("offer", None)
        if text.startswith(START_PREFIX):
            return self._start_from_offer(message, text, state, offer, storage_ok)
        if text == NOT_NOW:
            return Reply(self._intake_text("cancelled", message.audience, TicketKind.SAR))
        if text.startswith(CHOOSE_INTENT_PREFIX):
            chosen = self._intent_by_id(text.removeprefix(CHOOSE_INTENT_PREFIX).strip())
            if chosen is not None:
                info = MatchInfo(chosen.id, 100.0, None, Outcome.ANSWER.value)
                return self.answer(chosen, message, info, state, storage_ok)
        decision = self.matcher.decide(text)
        top = decision.options[0] if decision.options else None
        if (
            decision.outcome is Outcome.ANSWER
            and top is not None
            and top.intent.request_kind is not None
            and is_request_phrasing(text, like_a_request_example=top.is_request)
            and self.can_log
            and storage_ok
        ):
            # "Please send me everything you hold on my son" is itself the request.
            return self._start_intake(
                message, state, top.intent.request_kind, message.received_at, text
            )
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
        self, message: Message, reply: Reply, state: State, storage_ok: bool
    ) -> Reply:
        """After asking for a person, or two replies in a row that did not help, offer one."""
        match = reply.match
        if match is None or (reply.choices and match.outcome != Outcome.ANSWER.value):
            return reply
        asked = match.intent == "talk_to_person"
        missed = match.outcome == Outcome.FALLBACK.value
        state["misses"] = int(state.get("misses", 0)) + 1 if missed else 0
        if not (asked or state["misses"] >= MISSES_BEFORE_OFFER):
            return reply
        if not self._can_hand_off(message, storage_ok):
            return reply
        offer = self.answers.render("_handoff", message.audience, step="offer")
        return Reply(
            f"{reply.text}\n\n{offer}",
            choices=(
                *reply.choices,
                Choice(self.buttons["handoff"], HANDOFF_START),
                Choice(self.buttons["not_now"], HANDOFF_DECLINE),
            ),
            match=match,
        )

    def _open_handoff(self, message: Message, state: State, storage_ok: bool) -> Reply:
        if not self._can_hand_off(message, storage_ok) or self.store is None:
            return Reply(self.answers.render("_handoff", message.audience, step="unavailable"))
        assert self.handoff is not None
        try:
            transcript = self.store.transcript(message.conversation_id)
            self.handoff.open(message.conversation_id, transcript)
        except (HandoffUnavailable, StorageUnavailable) as error:
            log.warning("hand-off for conversation %s failed: %s", message.conversation_id, error)
            return Reply(self.answers.render("_handoff", message.audience, step="unavailable"))
        state["handoff"] = True
        state["misses"] = 0
        return Reply(self.answers.render("_handoff", message.audience, step="opened"))

    def _relay(self, message: Message, text: str, state: State) -> Reply | None:
        """While staff have the conversation, pass messages on; None once they have closed it."""
        gateway = self.handoff
        try:
            if gateway is None or not gateway.is_open(message.conversation_id):
                del state["handoff"]
                return None
            gateway.relay(message.conversation_id, text)
        except (HandoffUnavailable, StorageUnavailable) as error:
            # Nothing is lost: the message is in the transcript, and the person is told to email.
            log.warning("relay for conversation %s failed: %s", message.conversation_id, error)
            return Reply(self.answers.render("_handoff", message.audience, step="unavailable"))
        return Reply(self.answers.render("_handoff", message.audience, step="relayed"))

    def _intent_by_id(self, intent_id: str) -> Intent | None:
        for intent in self.matcher.intents:
            if intent.id == intent_id and intent.kind is not IntentKind.OUT_OF_SCOPE:
                return intent
        return None

    def reply_to(
        self,
        decision: Decision,
        message: Message,
        state: State | None = None,
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
        return Reply(self.answers.render("_fallback", audience), match=info)

    def answer(
        self,
        intent: Intent,
        message: Message,
        info: MatchInfo,
        state: State | None = None,
        storage_ok: bool = False,
    ) -> Reply:
        audience = message.audience
        text = self.answers.render(intent.id, audience)
        kind = intent.request_kind
        if kind is None:
            return Reply(text, match=info)
        can_log = self.can_log and storage_ok
        if audience is Audience.PUBLIC:
            offer = self.answers.render(
                "_request_offer", audience, kind_label=kind_label(kind), can_log=can_log
            )
            text = f"{text}\n\n{offer}"
        if not can_log or state is None:
            return Reply(text, match=info)
        # The clock starts when the person first asked, so the offer remembers this moment.
        state["offer"] = {
            "kind": kind.value,
            "received_at": message.received_at.isoformat(),
            "request_text": message.text,
        }
        choices = (
            Choice(self.buttons["log_request"], f"{START_PREFIX}{kind.value}"),
            Choice(self.buttons["not_now"], NOT_NOW),
        )
        return Reply(text, choices=choices, match=info)

    # -- the intake ---------------------------------------------------------------------------

    def _start_from_offer(
        self,
        message: Message,
        text: str,
        state: State,
        offer: Mapping[str, Any] | None,
        storage_ok: bool,
    ) -> Reply:
        try:
            kind = TicketKind(text.removeprefix(START_PREFIX).strip())
        except ValueError:
            kind = TicketKind.SAR
        if not (self.can_log and storage_ok):
            step = "not_saved" if self.can_log else "unavailable"
            return Reply(self._intake_text(step, message.audience, kind))
        received_at, request_text = message.received_at, ""
        if offer is not None and offer.get("kind") == kind.value:
            received_at = datetime.fromisoformat(offer["received_at"])
            request_text = str(offer.get("request_text", ""))
        return self._start_intake(message, state, kind, received_at, request_text)

    def _start_intake(
        self,
        message: Message,
        state: State,
        kind: TicketKind,
        received_at: datetime,
        request_text: str,
    ) -> Reply:
        intake = Intake(
            kind=kind,
            received_at=received_at,
            request_text=request_text,
            audience=message.audience,
            id=uuid.uuid4().hex,
        )
        intake.step = intake.next_step()
        state["intake"] = intake.to_state()
        return self._prompt(intake, shown_step="start")

    def _continue_intake(self, message: Message, text: str, state: State) -> Reply:
        intake = Intake.from_state(state["intake"])
        words = normalise(text)
        if text == f"{CHOICE_PREFIX}cancel" or words in CANCEL_WORDS:
            del state["intake"]
            return Reply(self._intake_text("cancelled", intake.audience, intake.kind))
        if text == f"{CHOICE_PREFIX}back" or words in BACK_WORDS:
            if intake.history:
                intake.step = Step(intake.history.pop())
                intake.answers.pop(intake.step.value, None)
            intake.editing = False
            state["intake"] = intake.to_state()
            return self._prompt(intake)
        if intake.step is Step.CONFIRM:
            if text == f"{CHOICE_PREFIX}confirm" or words in YES_WORDS:
                return self._log(message, intake, state)
            if text == f"{CHOICE_PREFIX}change" or words in {"no", "change", "change something"}:
                intake.step = Step.CHANGE
                state["intake"] = intake.to_state()
                return self._prompt(intake)
            return self._prompt(intake, problem="unexpected")
        if intake.step is Step.CHANGE:
            field_name = text.removeprefix(f"{CHOICE_PREFIX}edit:")
            if field_name in {s.value for s in intake.steps()}:
                intake.step = Step(field_name)
                intake.editing = True
                state["intake"] = intake.to_state()
                return self._prompt(intake)
            return self._prompt(intake, problem="unexpected")
        today = message.received_at.astimezone(LONDON).date()
        try:
            intake.answers[intake.step.value] = interpret(intake, text, today)
        except InvalidAnswer as invalid:
            return self._prompt(intake, problem=invalid.problem)
        intake.history.append(intake.step.value)
        following = intake.next_step()
        intake.step = Step.CONFIRM if intake.editing and following is Step.CONFIRM else following
        if intake.step is Step.CONFIRM:
            intake.editing = False
        state["intake"] = intake.to_state()
        return self._prompt(intake)

    def _log(self, message: Message, intake: Intake, state: State) -> Reply:
        assert self.requests is not None  # an intake only starts when requests can be logged
        request = new_request(intake, CHANNEL_OF[message.channel], message.conversation_id)
        actor = message.user or f"{message.channel.value} chat"
        try:
            ticket = self.requests.log(request, actor=actor)
        except StorageUnavailable as error:
            # Nobody is told a request was logged when it was not; the intake stays open.
            log.error("request from conversation %s not saved: %s", message.conversation_id, error)
            return self._prompt(intake, shown_step="not_saved")
        except TicketError as error:
            log.warning("request from conversation %s refused: %s", message.conversation_id, error)
            return self._prompt(intake, problem="refused", reason=str(error))
        del state["intake"]
        log.info("logged %s from conversation %s", ticket.reference, message.conversation_id)
        for listener in self.ticket_listeners:
            try:
                listener(ticket)
            except Exception:  # a channel's failure must never undo or hide a logged request
                log.exception("ticket listener failed for %s", ticket.reference)
        text = self._intake_text(
            "logged",
            intake.audience,
            intake.kind,
            reference=ticket.reference,
            due_date=format_date(ticket.due_date),
        )
        return Reply(text, ticket_reference=ticket.reference)

    def _intake_text(self, step: str, audience: Audience, kind: TicketKind, **extra: Any) -> str:
        values: dict[str, Any] = {
            "kind_label": kind_label(kind),
            "step": step,
            "problem": None,
            "has_details": False,
            "rows": [],
            "reason": "",
        }
        values.update(extra)
        return self.answers.render("_intake", audience, **values)

    def _prompt(
        self,
        intake: Intake,
        *,
        problem: str | None = None,
        shown_step: str | None = None,
        reason: str = "",
    ) -> Reply:
        step = intake.step
        text = self._intake_text(
            shown_step or step.value,
            intake.audience,
            intake.kind,
            problem=problem,
            has_details=bool(intake.request_text),
            rows=summary(intake, self.buttons),
            reason=reason,
        )
        return Reply(text, choices=self._choices(intake))

    def _choices(self, intake: Intake) -> tuple[Choice, ...]:
        buttons = self.buttons
        step = intake.step
        prefix = f"{CHOICE_PREFIX}{step.value}:"
        choices: list[Choice] = []
        if step is Step.RELATIONSHIP:
            choices = [
                Choice(label, prefix + key) for key, label in buttons["relationship"].items()
            ]
        elif step is Step.CHILD:
            choices = [Choice(buttons["yes"], prefix + "yes"), Choice(buttons["no"], prefix + "no")]
        elif step is Step.DETAILS and intake.request_text:
            choices = [Choice(buttons["keep_details"], prefix + "keep")]
        elif step is Step.CHANNEL:
            choices = [
                Choice(label, prefix + key)
                for key, label in buttons["channel"].items()
                if key != RequestChannel.WEB_CHAT.value
            ]
        elif step is Step.RECEIVED:
            choices = [Choice(buttons["today"], prefix + "today")]
        elif step is Step.CONFIRM:
            return (
                Choice(buttons["confirm"], f"{CHOICE_PREFIX}confirm"),
                Choice(buttons["change"], f"{CHOICE_PREFIX}change"),
                Choice(buttons["cancel"], f"{CHOICE_PREFIX}cancel"),
            )
        elif step is Step.CHANGE:
            asked = set(intake.steps())
            choices = [
                Choice(buttons["fields"][s.value], f"{CHOICE_PREFIX}edit:{s.value}")
                for s in EDITABLE
                if s in asked
            ]
        if intake.history:
            choices.append(Choice(buttons["back"], f"{CHOICE_PREFIX}back"))
        choices.append(Choice(buttons["cancel"], f"{CHOICE_PREFIX}cancel"))
        return tuple(choices)


def _match_info(decision: Decision) -> MatchInfo:
    best: Candidate | None = decision.options[0] if decision.options else decision.best
    if best is None:
        return MatchInfo(None, 0.0, None, decision.outcome.value)
    intent = best.intent.id if decision.outcome is not Outcome.FALLBACK else None
    return MatchInfo(intent, round(best.score, 1), best.example, decision.outcome.value)


__all__ = ["YES_WORDS", "BadInput", "Conversation", "check_text"]
