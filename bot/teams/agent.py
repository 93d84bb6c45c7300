"""The bot's turn in Teams: translate in, call the one handler (or a triage action), translate out.

Staff ask in a personal chat or by @mention in a channel or group chat, and always get the staff
wording. A formal request is taken down only in a personal chat: the intake asks for a requester's
name, contact details and a child's name, which do not belong in a channel the whole team reads,
so channels get a handler without the request service (it answers, and never starts an intake).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi.concurrency import run_in_threadpool
from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    AdaptiveCardInvokeValue,
    ContentTypes,
    InvokeResponse,
)
from microsoft_agents.hosting.core import TurnContext
from pydantic import ValidationError

from bot.content.wordbook import Wordbook
from bot.conversation.handler import Conversation
from bot.rules.lifecycle import TicketError
from bot.storage.engine import StorageUnavailable
from bot.teams import triage_actions
from bot.teams.activities import (
    TRIAGE_KEY,
    actor,
    display_name,
    is_personal,
    tenant_of,
    text_of,
    to_message,
)
from bot.teams.handoff import VERBS as HANDOFF_VERBS
from bot.teams.handoff import StaffSide
from bot.teams.linking import link_from_directory
from bot.teams.replies import reply_activity
from bot.teams.triage import TriagePoster
from bot.tickets.staff_links import StaffLinks
from bot.types import Audience

log = logging.getLogger(__name__)

CARD_ACTION = "adaptiveCard/action"


class TeamsAgent:
    """The SDK's Agent: one turn per incoming activity."""

    def __init__(
        self,
        *,
        personal: Conversation,
        shared: Conversation,
        tenant_id: str | None,
        triage: TriagePoster | None = None,
        staff_side: StaffSide | None = None,
        words: Wordbook,
    ) -> None:
        # The school's words for a card button that cannot be done (answers/triage.yaml).
        self._words = words
        self._personal = personal
        self._shared = shared
        self._tenant_id = tenant_id
        self._triage = triage
        # Set when Teams takes the web chat's hand-offs.
        self._staff_side = staff_side

    def _error(self, key: str) -> str:
        return self._words.say(f"card_errors.{key}")

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        if self._tenant_id is not None and tenant_of(activity) != self._tenant_id:
            # A single-tenant bot; guests from other organisations do not get staff answers.
            log.warning("Teams activity from another tenant (%s) ignored", tenant_of(activity))
            if activity.type == ActivityTypes.invoke:
                await _invoke_error(context, HTTPStatus.FORBIDDEN, self._error("not_this_school"))
            return
        if activity.type == ActivityTypes.message:
            await self._on_message(context)
        elif activity.type == ActivityTypes.invoke and activity.name == CARD_ACTION:
            await self._on_card_action(context)
        elif activity.type == ActivityTypes.conversation_update:
            await self._on_installed(context)

    async def _on_message(self, context: TurnContext) -> None:
        if await self._pass_to_parent(context):
            return
        message = to_message(context.activity)
        if not message.text:
            return  # a picture or a reaction: nothing to answer
        handler = self._personal if is_personal(context.activity) else self._shared
        # The handler and its database are synchronous; the event loop keeps serving meanwhile.
        reply = await run_in_threadpool(handler.handle, message)
        if reply.duplicate:
            return  # Teams sent the same message again: it was answered the first time
        await context.send_activity(reply_activity(reply))

    async def _pass_to_parent(self, context: TurnContext) -> bool:
        """A reply in a hand-off thread goes to the parent's web chat, and is not answered."""
        activity = context.activity
        side = self._staff_side
        if side is None or ";messageid=" not in activity.conversation.id:
            return False
        handoff = await run_in_threadpool(side.find, activity.conversation.id)
        if handoff is None:
            return False  # an ordinary thread, or a hand-off already closed
        # A retried activity has the same id, and is passed on once.
        await run_in_threadpool(side.reply, handoff, text_of(activity), activity.id or "")
        return True

    async def _on_handoff_action(self, context: TurnContext, verb: str) -> None:
        activity = context.activity
        side = self._staff_side
        if side is None:
            await _invoke_error(context, HTTPStatus.NOT_FOUND, self._error("handoffs_not_set_up"))
            return
        try:
            handoff = await run_in_threadpool(
                side.find, activity.conversation.id, activity.reply_to_id
            )
            card = await run_in_threadpool(side.act, handoff, verb, display_name(activity))
        except StorageUnavailable as error:
            log.error("hand-off action on Teams not saved: %s", error)
            await _invoke_error(
                context, HTTPStatus.SERVICE_UNAVAILABLE, self._error("database_down")
            )
            return
        await _invoke_response(
            context,
            AdaptiveCardInvokeResponse(
                status_code=HTTPStatus.OK, type=ContentTypes.adaptive_card, value=card
            ),
        )

    async def _on_installed(self, context: TurnContext) -> None:
        """Greet someone who has just added the bot, and log where a team added it."""
        activity = context.activity
        bot = activity.recipient.id if activity.recipient else None
        added = any(member.id == bot for member in activity.members_added or [])
        if added and is_personal(activity):
            greeting = self._personal.greeting(Audience.STAFF)
            await context.send_activity(reply_activity(greeting))
        elif added:
            _note_installation(activity)

    async def _on_card_action(self, context: TurnContext) -> None:
        activity = context.activity
        action = (activity.value or {}).get("action") if isinstance(activity.value, dict) else None
        verb = action.get("verb") if isinstance(action, dict) else None
        if verb in HANDOFF_VERBS:
            await self._on_handoff_action(context, str(verb))
            return
        triage = self._triage
        requests = self._personal.requests
        if triage is None or requests is None:
            await _invoke_error(context, HTTPStatus.NOT_FOUND, self._error("triage_not_set_up"))
            return
        if not triage.is_triage_conversation(activity.conversation.id):
            await _invoke_error(context, HTTPStatus.FORBIDDEN, self._error("not_triage_channel"))
            return
        try:
            value = AdaptiveCardInvokeValue.model_validate(activity.value)
        except ValidationError:
            await _invoke_error(context, HTTPStatus.BAD_REQUEST, self._error("not_a_card_action"))
            return
        data: dict[str, Any] = dict(value.action.data)
        verb = value.action.verb or str(data.get(TRIAGE_KEY, ""))
        try:
            # Someone not linked yet is linked by their directory address, as Slack users are.
            await link_from_directory(context, StaffLinks(requests.sessions), self._tenant_id)
            ticket = await run_in_threadpool(
                triage_actions.apply,
                requests,
                verb,
                data,
                actor=actor(activity),
                name=display_name(activity),
            )
        except TicketError as error:
            # The message says what the ticket or the law does not allow; the card stays put.
            await _invoke_error(context, HTTPStatus.BAD_REQUEST, str(error))
            return
        except StorageUnavailable as error:
            log.error("triage action on Teams not saved: %s", error)
            await _invoke_error(
                context, HTTPStatus.SERVICE_UNAVAILABLE, self._error("request_log_down")
            )
            return
        triage.nudge()  # other platforms' cards, and this one's stored copy, catch up
        await _invoke_response(
            context,
            AdaptiveCardInvokeResponse(
                status_code=HTTPStatus.OK,
                type=ContentTypes.adaptive_card,
                value=triage.card_for(ticket),
            ),
        )


async def _invoke_error(context: TurnContext, status: HTTPStatus, message: str) -> None:
    await _invoke_response(
        context,
        AdaptiveCardInvokeResponse(
            status_code=status,
            type=ContentTypes.error,
            value={"code": status.phrase, "message": message},
        ),
    )


async def _invoke_response(context: TurnContext, body: AdaptiveCardInvokeResponse) -> None:
    # Teams reads the outcome from the body; the HTTP status of an invoke reply stays 200.
    await context.send_activity(
        Activity(
            type=ActivityTypes.invoke_response,
            value=InvokeResponse(
                status=HTTPStatus.OK,
                body=body.model_dump(mode="json", by_alias=True, exclude_none=True),
            ),
        )
    )


def _note_installation(activity: Activity) -> None:
    """Log the channel the bot was added to, so an admin can find the triage channel's id."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    place = data.get("channel") or data.get("team")
    if isinstance(place, dict) and place.get("id"):
        log.info("Teams: the bot is in channel %s (for TEAMS_TRIAGE_CONVERSATION_ID)", place["id"])
