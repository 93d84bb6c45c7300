"""Check the intents and answers folders before a parent ever meets a mistake in them."""

from __future__ import annotations

from pathlib import Path

from bot.content.answers import BUTTONS_FILE, TEMPLATE_SUFFIX, Answers
from bot.content.citations import (
    MAX_OPENING_GRADE,
    citation_problems,
    opening_grade,
    opening_sentence,
)
from bot.content.cli_words import cli_words
from bot.content.console_phrases import console_labels, console_phrases
from bot.content.errors import ContentError
from bot.content.intents import NOTICE_INTENT_IDS, IntentKind, IntentSet, load_intents
from bot.content.normalise import normalise
from bot.conversation.intake_prompts import (
    EDITABLE,
    INTAKE_CHANNELS,
    INTAKE_MESSAGES,
    INTAKE_PROBLEMS,
    TEMPLATE,
)
from bot.conversation.intake_words import IntakeWords
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Relationship
from bot.tickets.letters import check_letters
from bot.tickets.messages import TicketMessages
from bot.tickets.reminder_words import ReminderWords
from bot.types import Audience
from bot.web.words import error_words

# Templates the conversation renders besides the intents', with the variables each receives.
SPECIAL_TEMPLATES: dict[str, list[dict[str, object]]] = {
    "_fallback": [{"closest": None}, {"closest": "complain_to_ico"}],
    "_did_you_mean": [{"options": ["First choice", "Second choice"]}, {"options": ["Only"]}],
    "_bad_input": [
        {"problem": problem, "limit": 2000} for problem in ("empty", "too_long", "unreadable")
    ],
    "_request_offer": [
        {"kind_label": "subject access request", "can_log": can_log} for can_log in (True, False)
    ],
    "_no_help": [{"can_hand_off": True}, {"can_hand_off": False}],
    TEMPLATE: [
        {
            "kind": kind.value,
            "kind_label": "subject access request",
            "kind_does": "send a copy of the information it holds",
            "step": step,
            "problem": problem,
            "has_details": problem is None,
            "rows": [["Name", "Sam Jones"], ["Contact", "07911 123456"]],
            "reference": "SAR-2026-0001",
            "due_date": "Monday 4 January 2027",
            "reason": "an educational record request must be written",
            "notice": "own_record" if problem is None else None,
            "answer": "An answer." if problem == "unexpected" else "",
        }
        for kind in TicketKind
        for step in INTAKE_MESSAGES
        for problem in (None, *INTAKE_PROBLEMS)
        if kind is TicketKind.SAR or step == "logged"
    ],
}
SPECIAL_TEMPLATES["_handoff"] = [
    {"step": step} for step in ("offer", "opened", "relayed", "declined", "unavailable", "closed")
]
SPECIAL_TEMPLATES["_staff_notices"] = [
    {
        "step": step,
        "who": "Sam Office",
        "reference": "SAR-2026-0001",
        "due_date": "Monday 4 January 2027",
        "reason": "a refusal needs its reason",
    }
    for step in (
        "handoff_asked",
        "handoff_reply_here",
        "handoff_taken",
        "handoff_closed",
        "handoff_closed_already",
        "logged",
        "not_logged",
        "not_changed",
    )
]
# The web chat's own: the privacy line of its first message, and a logged request's receipt.
SPECIAL_TEMPLATES["_web_privacy"] = [{"retention_days": 30}]
SPECIAL_TEMPLATES["_receipt"] = [
    {
        "reference": "SAR-2026-0001",
        "kind_label": "subject access request",
        "request_text": "Everything you hold on Sam",
        "received": "Friday 20 November 2026",
        "due_date": "Monday 21 December 2026",
    }
]
# The button labels the conversation looks up, by key; nested keys are "group.key".
REQUIRED_BUTTONS = (
    "log_request handoff not_now keep_details cancel back confirm change yes no today "
    "change_kind other_kind just_asking fields.first_words fields.addition "
    "staff_handoff.take staff_handoff.close speakers.person speakers.bot speakers.staff "
    + " ".join(f"relationship.{r.value}" for r in Relationship)
    + " "
    + " ".join(f"channel.{c.value}" for c in INTAKE_CHANNELS)
    + " "
    + " ".join(f"fields.{s}" for s in EDITABLE)
).split()


def check_content(intents_dir: Path, answers_dir: Path) -> list[str]:
    """Every problem found, each naming its file; an empty list means the content is sound."""
    problems: list[str] = []
    try:
        intent_set = load_intents(intents_dir)
    except ContentError as error:
        return [str(error)]
    try:
        answers = Answers(answers_dir)
    except ContentError as error:
        return [str(error)]
    problems += _missing_intents(intent_set, intents_dir)
    problems += _shared_examples(intent_set, intents_dir)
    problems += _template_problems(intent_set, answers)
    problems += _answer_rule_problems(intent_set, answers)
    problems += _missing_buttons(answers)
    try:
        IntakeWords.load(answers_dir)
    except ContentError as error:
        problems.append(str(error))
    loaders = (
        console_phrases,
        console_labels,
        ReminderWords.load,
        TicketMessages.load,
        error_words,
        cli_words,
    )
    for load_words in loaders:
        try:
            load_words(answers_dir)
        except ContentError as error:
            problems.append(str(error))
    # The letters to requesters (answers/letters) render for every kind of request.
    problems += check_letters(answers_dir, answers.facts)
    return problems


def _missing_buttons(answers: Answers) -> list[str]:
    problems = []
    for key in REQUIRED_BUTTONS:
        value: object = answers.buttons
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{answers.directory / BUTTONS_FILE}: no label for {key!r}")
    return problems


def _missing_intents(intent_set: IntentSet, intents_dir: Path) -> list[str]:
    known = {intent.id for intent in intent_set.intents}
    return [
        f"{intents_dir / (intent_id + '.yaml')}: required intent is missing"
        for intent_id in NOTICE_INTENT_IDS
        if intent_id not in known
    ]


def _shared_examples(intent_set: IntentSet, intents_dir: Path) -> list[str]:
    owner_of: dict[str, str] = {}
    problems = []
    for intent in intent_set.intents:
        for example in (*intent.examples, *intent.request_examples):
            key = normalise(example)
            owner = owner_of.setdefault(key, intent.id)
            if owner != intent.id:
                problems.append(
                    f"{intents_dir / (intent.id + '.yaml')}: example {example!r} is also "
                    f"claimed by {owner}"
                )
    return problems


def _template_problems(intent_set: IntentSet, answers: Answers) -> list[str]:
    problems = []
    expected = set(SPECIAL_TEMPLATES)
    for intent in intent_set.intents:
        if intent.kind is IntentKind.OUT_OF_SCOPE:
            continue
        expected.add(intent.id)
        if not answers.has(intent.id):
            problems.append(
                f"{answers.directory / (intent.id + TEMPLATE_SUFFIX)}: template is missing"
            )
            continue
        problems += _render_problems(answers, intent.id, [{}])
    for name, variants in SPECIAL_TEMPLATES.items():
        problems += _render_problems(answers, name, variants)
    for path in sorted(answers.directory.glob(f"*{TEMPLATE_SUFFIX}")):
        if path.stem not in expected and path.name != "README.md":
            problems.append(f"{path}: no intent is named {path.stem!r}, so nothing uses it")
    return problems


def _render_problems(answers: Answers, name: str, variants: list[dict[str, object]]) -> list[str]:
    problems = []
    for audience in Audience:
        for variables in variants:
            try:
                text = answers.render(name, audience, **variables)
            except ContentError as error:
                problems.append(f"{error} (audience {audience.value})")
                break
            if not text.strip():
                problems.append(
                    f"{answers.directory / (name + TEMPLATE_SUFFIX)}: renders empty for the "
                    f"{audience.value} audience"
                )
    return problems


def _answer_rule_problems(intent_set: IntentSet, answers: Answers) -> list[str]:
    """Every answer cites its source; a parent's answer opens with a sentence they can read."""
    problems = []
    for intent in intent_set.intents:
        if intent.kind is IntentKind.OUT_OF_SCOPE or not answers.has(intent.id):
            continue
        where = answers.directory / (intent.id + TEMPLATE_SUFFIX)
        for audience in Audience:
            try:
                text = answers.render(intent.id, audience)
            except ContentError:
                continue  # already reported by the render check
            needs_citation = intent.kind is IntentKind.NOTICE
            problems += [
                f"{where}: {problem} (audience {audience.value})"
                for problem in citation_problems(text, needs_citation=needs_citation)
            ]
            if audience is Audience.PUBLIC and opening_grade(text) > MAX_OPENING_GRADE:
                problems.append(
                    f"{where}: the opening sentence reads at grade {opening_grade(text):.1f}, "
                    f"above {MAX_OPENING_GRADE:g}; start with one plain sentence that answers "
                    f"the question: {opening_sentence(text)!r}"
                )
    return problems
