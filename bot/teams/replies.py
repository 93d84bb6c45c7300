"""The handler's Reply as a Teams message: markdown text, and the choices as card buttons.

A button is an Action.Submit whose Teams "messageBack" behaviour shows the chosen label in the
chat, as if the person had typed it, and sends the choice's value back; that value becomes the
next message's text for the same handler (bot.teams.activities.text_of).
"""

from __future__ import annotations

from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, TextFormatTypes
from microsoft_agents.hosting.core import CardFactory

from bot.teams.activities import CHOICE_KEY
from bot.teams.markup import to_teams
from bot.types import Choice, Reply

CARD_VERSION = "1.5"


def reply_activity(reply: Reply) -> Activity:
    """The message to post for `reply`."""
    activity = Activity(
        type=ActivityTypes.message,
        text=to_teams(reply.text),
        text_format=TextFormatTypes.markdown,
    )
    if reply.choices:
        activity.attachments = [CardFactory.adaptive_card(choice_card(reply.choices))]
    return activity


def choice_card(choices: tuple[Choice, ...]) -> dict[str, Any]:
    """A card holding only buttons, one per choice, in the order the handler gave them."""
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": [],
        "actions": [
            {
                "type": "Action.Submit",
                "title": choice.label,
                "data": {
                    CHOICE_KEY: choice.value,
                    "msteams": {
                        "type": "messageBack",
                        "displayText": choice.label,
                        "text": choice.value,
                    },
                },
            }
            for choice in choices
        ],
    }
