"""A ticket as an Adaptive Card for the triage channel, with the actions its status allows.

The card names the kind, the dates and who has it, never the requester or the child: the channel
is seen by every member of the team, and the details are one audited look-up away (the console or
`privacybot tickets show`). Buttons are Action.Execute (Universal Actions): Teams sends an
adaptiveCard/action invoke and shows the card the bot answers with, so the card changes in place.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from bot.content.wordbook import Wordbook
from bot.conversation.intake import format_date
from bot.rules.lifecycle import Action, Outcome, Status
from bot.teams.activities import TRIAGE_KEY
from bot.tickets.messages import TRIAGE_ACTIONS, TicketMessages
from bot.tickets.service import TicketView

CARD_VERSION = "1.5"  # Action.Execute needs 1.4; Teams renders 1.5
REFERENCE_KEY = "reference"
EXTEND_REASON = "extend_reason"
CLOSE_OUTCOME = "close_outcome"
CLOSE_REASON = "close_reason"


def triage_card(
    ticket: TicketView, today: date, allowed: Collection[Action], messages: TicketMessages
) -> dict[str, Any]:
    """The card for `ticket` as it stands, with a button for each action in `allowed` (what its
    status and the law for its kind allow: RequestService.actions_for); `today` (London) words
    the deadline. Its words are the school's: answers/triage.yaml and intake/kinds.yaml.

    The card is one for the whole channel, so it cannot know who will press Close: Refused
    stays among the outcomes, and the request service refuses it to a role that may not.
    """
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": [
            {
                "type": "TextBlock",
                "text": f"{ticket.reference}: {messages.kind_label(ticket.kind)}",
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
            },
            {"type": "FactSet", "facts": _facts(ticket, today, messages)},
        ],
        "actions": [
            _action(a, ticket.reference, messages.triage)
            for a in TRIAGE_ACTIONS
            if a in allowed and not (a is Action.EXTEND and ticket.extended)
        ],
    }


def _facts(ticket: TicketView, today: date, messages: TicketMessages) -> list[dict[str, str]]:
    say = messages.triage.say
    due = messages.due_words(
        format_date(ticket.due_date),
        closed=ticket.status is Status.CLOSED,
        paused=ticket.paused,
        days_left=ticket.days_left(today),
    )
    facts = [
        (say("fields.status"), ticket.status.value.replace("_", " ")),
        (say("fields.received"), format_date(ticket.received_on)),
        (say("fields.due"), due),
        (say("fields.with"), ticket.assignee or say("values.nobody_yet")),
        (say("fields.came_by"), ticket.channel.value.replace("_", " ")),
    ]
    if ticket.extended:
        facts.append((say("fields.extended"), say("values.extended")))
    if ticket.outcome is not None:
        facts.append((say("fields.outcome"), say(f"outcomes.{ticket.outcome.value}")))
    return [{"title": title, "value": value} for title, value in facts]


def _execute(action: Action, reference: str, title: str) -> dict[str, Any]:
    return {
        "type": "Action.Execute",
        "title": title,
        "verb": action.value,
        "data": {TRIAGE_KEY: action.value, REFERENCE_KEY: reference},
    }


def _action(action: Action, reference: str, words: Wordbook) -> dict[str, Any]:
    title = words.say(f"buttons.{action.value}")
    if action is Action.EXTEND:
        reason = {
            "type": "Input.Text",
            "id": EXTEND_REASON,
            "label": words.say("forms.extend_reason"),
            "isRequired": True,
            "errorMessage": words.say("forms.extend_reason_missing"),
            "isMultiline": True,
            "maxLength": 2000,
        }
        return _show_card(f"{title}...", [reason], _execute(action, reference, title))
    if action is Action.CLOSE:
        outcome = {
            "type": "Input.ChoiceSet",
            "id": CLOSE_OUTCOME,
            "label": words.say("forms.outcome"),
            "isRequired": True,
            "errorMessage": words.say("forms.outcome_missing"),
            "choices": [
                {"title": words.say(f"outcomes.{o.value}"), "value": o.value} for o in Outcome
            ],
        }
        reason = {
            "type": "Input.Text",
            "id": CLOSE_REASON,
            "label": words.say("forms.reason"),
            "isMultiline": True,
            "maxLength": 2000,
        }
        return _show_card(f"{title}...", [outcome, reason], _execute(action, reference, title))
    return _execute(action, reference, title)


def _show_card(title: str, inputs: list[dict[str, Any]], submit: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Action.ShowCard",
        "title": title,
        "card": {"type": "AdaptiveCard", "body": inputs, "actions": [submit]},
    }
