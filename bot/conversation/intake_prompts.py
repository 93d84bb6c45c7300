"""What the intake says and which buttons it shows, all from answers/intake/ and buttons.yaml."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.content.answers import Answers
from bot.conversation.intake_words import IntakeWords
from bot.conversation.state import IntakeState, Step
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import RequestChannel
from bot.types import Audience, Choice, Reply

if TYPE_CHECKING:
    from bot.tickets.service import TicketView

CHOICE_PREFIX = "intake:"
EDIT_PREFIX = f"{CHOICE_PREFIX}edit:"
START_PREFIX = "request:"
NOT_NOW = f"{CHOICE_PREFIX}not_now"
TEMPLATE = "intake/steps"
# Fields a person can correct from the summary, in the order the summary shows them.
EDITABLE = (
    Step.KIND,
    Step.NAME,
    Step.RELATIONSHIP,
    Step.SUBJECT,
    Step.CONTACT,
    Step.DETAILS,
    Step.CHANNEL,
    Step.RECEIVED,
)
INTAKE_CHANNELS = (
    RequestChannel.PHONE,
    RequestChannel.LETTER,
    RequestChannel.EMAIL,
    RequestChannel.IN_PERSON,
    RequestChannel.WEB_CHAT,
)
# Every message the intake template renders, and every reason an answer can be refused.
INTAKE_MESSAGES = (
    "start",
    *(s.value for s in Step),
    "proposal",
    "logged",
    "cancelled",
    "unavailable",
    "not_saved",
    "failed",
)
INTAKE_PROBLEMS = (
    "name",
    "name_email",
    "name_digits",
    "name_sentence",
    "relationship",
    "yes_no",
    "contact",
    "phone",
    "channel",
    "date",
    "future_date",
    "empty",
    "kind",
    "question",
    "refused",
    "unexpected",
)


def format_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


class IntakePrompts:
    def __init__(self, answers: Answers, words: IntakeWords) -> None:
        self.answers = answers
        self.words = words

    @property
    def buttons(self) -> Mapping[str, Any]:
        return self.answers.buttons

    def text(self, step: str, audience: Audience, kind: TicketKind, **extra: Any) -> str:
        words = self.words.kinds[kind]
        values: dict[str, Any] = {
            "kind": kind.value,
            "kind_label": words.label,
            "kind_does": words.does,
            "step": step,
            "problem": None,
            "has_details": False,
            "rows": [],
            "reason": "",
            "notice": None,
            "answer": "",
        }
        values.update(extra)
        return self.answers.render(TEMPLATE, audience, **values)

    def said(self, step: str, audience: Audience, kind: TicketKind) -> Reply:
        return Reply(self.text(step, audience, kind))

    def ask(
        self,
        intake: IntakeState,
        *,
        problem: str | None = None,
        shown_step: str | None = None,
        reason: str = "",
        answer: str = "",
    ) -> Reply:
        """The current question, after why the last answer did not fit or a question's answer."""
        shown = shown_step or intake.step.value
        notice, intake.notice = intake.notice, None
        text = self.text(
            shown,
            intake.audience,
            intake.kind,
            problem=problem,
            has_details=bool(intake.first_words),
            rows=self.summary(intake),
            reason=reason,
            notice=notice,
            answer=answer,
        )
        choices = self.choices(intake)
        if shown == "start":
            choices = (Choice(self.buttons["change_kind"], f"{EDIT_PREFIX}kind"), *choices)
        return Reply(text, choices=choices)

    def resume(self, intake: IntakeState, intent_id: str) -> Reply:
        return self.ask(intake, answer=self.answers.render(intent_id, intake.audience))

    def proposal(self, audience: Audience, kind: TicketKind) -> Reply:
        choices = (
            Choice(self.buttons["log_request"], f"{START_PREFIX}{kind.value}"),
            Choice(self.buttons["other_kind"], f"{START_PREFIX}choose"),
            Choice(self.buttons["just_asking"], NOT_NOW),
        )
        return Reply(self.text("proposal", audience, kind), choices=choices)

    def offer(self, audience: Audience, kind: TicketKind, *, can_log: bool) -> Reply:
        """The offer added after a rights answer; the buttons only when it can be logged."""
        text = ""
        if audience is Audience.PUBLIC:
            label = self.words.label(kind)
            text = self.answers.render(
                "_request_offer", audience, kind_label=label, can_log=can_log
            )
        if not can_log:
            return Reply(text)
        choices = (
            Choice(self.buttons["log_request"], f"{START_PREFIX}{kind.value}"),
            Choice(self.buttons["not_now"], NOT_NOW),
        )
        return Reply(text, choices=choices)

    def logged(self, intake: IntakeState, ticket: TicketView) -> Reply:
        text = self.text(
            "logged",
            intake.audience,
            ticket.kind,
            reference=ticket.reference,
            due_date=format_date(ticket.due_date),
        )
        return Reply(text, ticket_reference=ticket.reference)

    def request_text(self, intake: IntakeState) -> str:
        """The person's first words, then what they added, labelled; never one for the other."""
        addition = intake.answers.addition or ""
        if not intake.first_words:
            return addition
        if not addition:
            return intake.first_words
        return f"{intake.first_words}\n\n{self.buttons['fields']['addition']}: {addition}"

    def summary(self, intake: IntakeState) -> list[tuple[str, str]]:
        """(label, value) rows for the confirmation, in the order the questions were asked."""
        labels, answers = self.buttons["fields"], intake.answers
        rows = [(labels["kind"], self.words.label(intake.kind))]
        values: list[tuple[str, str | None]] = [
            ("name", answers.name),
            ("relationship", _label(self.buttons["relationship"], answers.relationship)),
            ("subject", answers.subject),
            ("contact", answers.contact),
        ]
        if intake.first_words:
            values += [("first_words", intake.first_words), ("addition", answers.addition)]
        else:
            values.append(("details", answers.addition))
        values.append(("channel", _label(self.buttons["channel"], answers.channel)))
        values.append(("received", format_date(answers.received) if answers.received else None))
        rows += [(labels[key], value) for key, value in values if value]
        return rows

    def choices(self, intake: IntakeState) -> tuple[Choice, ...]:
        buttons, step = self.buttons, intake.step
        prefix = f"{CHOICE_PREFIX}{step.value}:"
        choices: list[Choice] = []
        if step is Step.KIND:
            choices = [
                Choice(k.choice, prefix + kind.value) for kind, k in self.words.kinds.items()
            ]
        elif step is Step.RELATIONSHIP:
            choices = [
                Choice(label, prefix + key) for key, label in buttons["relationship"].items()
            ]
        elif step is Step.CHILD:
            choices = [Choice(buttons["yes"], prefix + "yes"), Choice(buttons["no"], prefix + "no")]
        elif step is Step.DETAILS and intake.first_words:
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
            labels = dict(buttons["fields"])
            if intake.first_words:
                labels[Step.DETAILS.value] = labels["addition"]
            choices = [
                Choice(labels[s.value], f"{EDIT_PREFIX}{s.value}")
                for s in EDITABLE
                if s is Step.KIND or intake.answers.has(s)
            ]
        if intake.history:
            choices.append(Choice(buttons["back"], f"{CHOICE_PREFIX}back"))
        choices.append(Choice(buttons["cancel"], f"{CHOICE_PREFIX}cancel"))
        return tuple(choices)


def _label(labels: Mapping[str, str], value: object) -> str | None:
    return labels[str(value)] if value is not None else None
