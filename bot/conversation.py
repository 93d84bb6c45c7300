"""The one handler every channel calls: a Message in, a Reply out."""

from __future__ import annotations

from dataclasses import dataclass

from bot.answers import Answers
from bot.deadlines import kind_label
from bot.intents import Intent, IntentKind
from bot.matching import Candidate, Decision, Matcher, Outcome
from bot.types import Audience, Choice, MatchInfo, Message, Reply

# A chosen "did you mean" button sends this back, so the choice never depends on matching again.
CHOOSE_INTENT_PREFIX = "intent:"


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
    """Answers questions from the notice; what it says lives in answers/, never here."""

    matcher: Matcher
    answers: Answers
    max_message_chars: int = 2000

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
        if text.startswith(CHOOSE_INTENT_PREFIX):
            chosen = self._intent_by_id(text.removeprefix(CHOOSE_INTENT_PREFIX).strip())
            if chosen is not None:
                return self.answer(
                    chosen, message.audience, MatchInfo(chosen.id, 100.0, None, "answer")
                )
        return self.reply_to(self.matcher.decide(text), message.audience)

    def _intent_by_id(self, intent_id: str) -> Intent | None:
        for intent in self.matcher.intents:
            if intent.id == intent_id and intent.kind is not IntentKind.OUT_OF_SCOPE:
                return intent
        return None

    def reply_to(self, decision: Decision, audience: Audience) -> Reply:
        info = _match_info(decision)
        if decision.outcome is Outcome.ANSWER:
            return self.answer(decision.options[0].intent, audience, info)
        if decision.outcome is Outcome.DID_YOU_MEAN:
            text = self.answers.render(
                "_did_you_mean", audience, options=[c.intent.title for c in decision.options]
            )
            choices = tuple(
                Choice(c.intent.title, CHOOSE_INTENT_PREFIX + c.intent.id) for c in decision.options
            )
            return Reply(text, choices=choices, match=info)
        return Reply(self.answers.render("_fallback", audience), match=info)

    def answer(self, intent: Intent, audience: Audience, info: MatchInfo) -> Reply:
        text = self.answers.render(intent.id, audience)
        if intent.request_kind is not None and audience is Audience.PUBLIC:
            offer = self.answers.render(
                "_request_offer", audience, kind_label=kind_label(intent.request_kind)
            )
            text = f"{text}\n\n{offer}"
        return Reply(text, match=info)


def _match_info(decision: Decision) -> MatchInfo:
    best: Candidate | None = decision.options[0] if decision.options else decision.best
    if best is None:
        return MatchInfo(None, 0.0, None, decision.outcome.value)
    intent = best.intent.id if decision.outcome is not Outcome.FALLBACK else None
    return MatchInfo(intent, round(best.score, 1), best.example, decision.outcome.value)
