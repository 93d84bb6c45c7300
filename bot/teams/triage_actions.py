"""A triage card's button, carried out through the request service in the acting person's name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.rules.lifecycle import Action, Outcome, TicketError
from bot.teams.triage_card import CLOSE_OUTCOME, CLOSE_REASON, EXTEND_REASON, REFERENCE_KEY
from bot.tickets.service import RequestService, TicketView


class UnknownAction(TicketError):
    """The card sent an action this version of the bot does not offer."""


def apply(
    requests: RequestService,
    verb: str,
    data: Mapping[str, Any],
    *,
    actor: str,
    name: str,
) -> TicketView:
    """Do what the button asks; the audit trail records `actor`, a taken ticket goes to `name`.

    Raises TicketError (with a message fit to show staff) when the ticket or the law says no.
    """
    reference = _text(data, REFERENCE_KEY)
    if verb == Action.ASSIGN:
        return requests.assign(reference, name, actor=actor)
    if verb == Action.REQUEST_ID:
        return requests.request_id(reference, actor=actor)
    if verb == Action.ID_RECEIVED:
        return requests.id_received(reference, actor=actor)
    if verb == Action.EXTEND:
        return requests.extend(reference, _text(data, EXTEND_REASON), actor=actor)
    if verb == Action.CLOSE:
        try:
            outcome = Outcome(_text(data, CLOSE_OUTCOME))
        except ValueError:
            raise UnknownAction(requests.messages.problem("choose_outcome")) from None
        return requests.close(reference, outcome, actor=actor, reason=_text(data, CLOSE_REASON))
    raise UnknownAction(requests.messages.problem("unknown_button", button=verb))


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""
