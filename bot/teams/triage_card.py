"""A ticket as an Adaptive Card for the triage channel, with the actions its status allows.

The card names the kind, the dates and who has it, never the requester or the child: the channel
is seen by every member of the team, and the details are one audited look-up away (the console or
`privacybot tickets show`). Buttons are Action.Execute (Universal Actions): Teams sends an
adaptiveCard/action invoke and shows the card the bot answers with, so the card changes in place.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from typing import Any

from bot.conversation.intake import format_date
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Action, Outcome, Status
from bot.teams.activities import TRIAGE_KEY
from bot.tickets.service import TicketView

CARD_VERSION = "1.5"  # Action.Execute needs 1.4; Teams renders 1.5
REFERENCE_KEY = "reference"
EXTEND_REASON = "extend_reason"
CLOSE_OUTCOME = "close_outcome"
CLOSE_REASON = "close_reason"

# Staff-facing labels for the card's buttons and fields.
LABELS = {
    Action.ASSIGN: "Take it",
    Action.REQUEST_ID: "ID requested",
    Action.ID_RECEIVED: "ID received",
    Action.EXTEND: "Extend",
    Action.CLOSE: "Close",
}
OUTCOME_LABELS = {
    Outcome.COMPLIED: "Complied in full",
    Outcome.PARTLY_COMPLIED: "Partly complied",
    Outcome.REFUSED: "Refused (give the reason)",
    Outcome.WITHDRAWN: "Withdrawn by the requester",
    Outcome.NO_DATA_HELD: "No data held",
    Outcome.NOT_A_REQUEST: "Not a request after all",
}
# The order buttons appear in: the usual life of a request.
_BUTTONS = (Action.ASSIGN, Action.REQUEST_ID, Action.ID_RECEIVED, Action.EXTEND, Action.CLOSE)


def triage_card(
    ticket: TicketView,
    today: date,
    allowed: Collection[Action],
    kind_label: Callable[[TicketKind], str],
) -> dict[str, Any]:
    """The card for `ticket` as it stands, with a button for each action in `allowed` (what its
    status and the law for its kind allow: RequestService.actions_for); `today` (London) words
    the deadline.

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
                "text": f"{ticket.reference}: {kind_label(ticket.kind)}",
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
            },
            {"type": "FactSet", "facts": _facts(ticket, today)},
        ],
        "actions": [
            _action(a, ticket.reference)
            for a in _BUTTONS
            if a in allowed and not (a is Action.EXTEND and ticket.extended)
        ],
    }


def _facts(ticket: TicketView, today: date) -> list[dict[str, str]]:
    facts = [
        ("Status", ticket.status.value.replace("_", " ")),
        ("Received", format_date(ticket.received_on)),
        ("Due", _due(ticket, today)),
        ("With", ticket.assignee or "nobody yet"),
        ("Came by", ticket.channel.value.replace("_", " ")),
    ]
    if ticket.extended:
        facts.append(("Extended", "yes, the requester was told"))
    if ticket.outcome is not None:
        facts.append(("Outcome", OUTCOME_LABELS[ticket.outcome]))
    return [{"title": title, "value": value} for title, value in facts]


def _due(ticket: TicketView, today: date) -> str:
    when = format_date(ticket.due_date)
    if ticket.status is Status.CLOSED:
        return when
    if ticket.paused:
        return f"{when} (clock paused, waiting on the requester)"
    days = ticket.days_left(today)
    if days < 0:
        return f"{when} (OVERDUE by {-days} days)"
    return f"{when} ({days} days left)"


def _execute(action: Action, reference: str, title: str) -> dict[str, Any]:
    return {
        "type": "Action.Execute",
        "title": title,
        "verb": action.value,
        "data": {TRIAGE_KEY: action.value, REFERENCE_KEY: reference},
    }


def _action(action: Action, reference: str) -> dict[str, Any]:
    title = LABELS[action]
    if action is Action.EXTEND:
        return _show_card(
            f"{title}...",
            [
                {
                    "type": "Input.Text",
                    "id": EXTEND_REASON,
                    "label": "Why (the requester must be told within the first month)",
                    "isRequired": True,
                    "errorMessage": "Give the reason for the extension",
                    "isMultiline": True,
                    "maxLength": 2000,
                }
            ],
            _execute(action, reference, title),
        )
    if action is Action.CLOSE:
        return _show_card(
            f"{title}...",
            [
                {
                    "type": "Input.ChoiceSet",
                    "id": CLOSE_OUTCOME,
                    "label": "Outcome",
                    "isRequired": True,
                    "errorMessage": "Choose the outcome",
                    "choices": [
                        {"title": label, "value": outcome.value}
                        for outcome, label in OUTCOME_LABELS.items()
                    ],
                },
                {
                    "type": "Input.Text",
                    "id": CLOSE_REASON,
                    "label": "Reason (needed for a refusal)",
                    "isMultiline": True,
                    "maxLength": 2000,
                },
            ],
            _execute(action, reference, title),
        )
    return _execute(action, reference, title)


def _show_card(title: str, inputs: list[dict[str, Any]], submit: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Action.ShowCard",
        "title": title,
        "card": {"type": "AdaptiveCard", "body": inputs, "actions": [submit]},
    }
