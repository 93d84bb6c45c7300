"""Staff working tickets from Slack: the log modal, the triage buttons and their modals, App Home.

Every change goes through the request service with the Slack user as the actor, so the audit
trail names them. A modal submitted twice, or a button pressed twice on the same version of a
triage message, is claimed in processed_messages first and acts once.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversation.intake import format_date
from bot.rules.clock import LONDON
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Action, Outcome, Relationship, RequestChannel, TicketError
from bot.slack import blocks
from bot.slack.asking import acknowledge
from bot.slack.parts import Parts, reported
from bot.tickets.messages import TicketMessages
from bot.tickets.service import NewRequest, TicketFilter
from bot.tickets.staff_links import StaffLinks

log = logging.getLogger(__name__)

Body = dict[str, Any]

_ACTION_OF = {action_id: action for action, action_id in blocks.TRIAGE_BUTTON_IDS.items()}


@dataclass(frozen=True)
class Form:
    """A submitted modal: its answers, and the problems to show beside them (keys under
    `problems` in answers/triage.yaml)."""

    values: dict[str, str]
    errors: dict[str, str]


def log_form(view: Body, today: date) -> Form:
    values = blocks.view_values(view)
    errors = {}
    received = values.get("received", "")
    if not _valid_day(received):
        errors["received"] = "received_missing"
    elif date.fromisoformat(received) > today:
        errors["received"] = "future"
    for block_id in ("kind", "channel", "requester", "relationship", "subject", "contact"):
        if not values.get(block_id, "").strip():
            errors[block_id] = "fill_in"
    if not values.get("details", "").strip():
        errors["details"] = "details_missing"
    return Form(values, errors)


def new_request(form: Form, view_id: str, now: datetime) -> NewRequest:
    values = form.values
    received_on = date.fromisoformat(values["received"])
    received_at = now
    if received_on != now.astimezone(LONDON).date():
        # Only the day counts for the statutory clock; noon avoids any clock-change edge.
        received_at = datetime(
            received_on.year, received_on.month, received_on.day, 12, tzinfo=LONDON
        )
    return NewRequest(
        kind=TicketKind(values["kind"]),
        channel=RequestChannel(values["channel"]),
        received_at=received_at,
        requester_name=values["requester"],
        requester_contact=values["contact"],
        requester_relationship=Relationship(values["relationship"]),
        subject_name=values["subject"],
        subject_is_child=values.get("child") == "yes",
        request_text=values["details"],
        source_key=f"slack:view:{view_id}",
    )


def extend_form(view: Body, today: date) -> Form:
    values = blocks.view_values(view)
    told = values.get("told_on", "")
    errors = {}
    if not _valid_day(told):
        errors["told_on"] = "told_on_missing"
    elif date.fromisoformat(told) > today:
        errors["told_on"] = "future"
    if not values.get("reason", "").strip():
        errors["reason"] = "reason_missing"
    return Form(values, errors)


def close_form(view: Body) -> Form:
    values = blocks.view_values(view)
    errors = {}
    if values.get("outcome") not in {o.value for o in Outcome}:
        errors["outcome"] = "outcome_missing"
    elif values["outcome"] == Outcome.REFUSED and not values.get("reason", "").strip():
        errors["reason"] = "refusal_reason"
    return Form(values, errors)


def _valid_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def register(bolt: AsyncApp, parts: Parts) -> None:
    """Add the ticket listeners to `bolt`."""
    _register_logging(bolt, parts)
    _register_triage_buttons(bolt, parts)
    _register_modals(bolt, parts)
    _register_home(bolt, parts)


def _register_logging(bolt: AsyncApp, parts: Parts) -> None:
    """The "Log a request" modal: checked as Slack waits, then logged once."""

    async def check_log(ack: AsyncAck, view: Body) -> None:
        await _ack_form(ack, log_form(view, parts.today()), parts.messages)

    @reported
    async def log_request(view: Body, body: Body, client: AsyncWebClient) -> None:
        form = log_form(view, parts.today())
        if form.errors or not parts.claim(f"slack:view:{view['id']}"):
            return
        user = body["user"]["id"]
        actor, _ = await parts.actor(client, user)
        request = new_request(form, view["id"], datetime.now(UTC))
        try:
            ticket = await asyncio.to_thread(parts.requests.log, request, actor=actor)
        except TicketError as error:
            await client.chat_postMessage(
                channel=user, text=parts.notice("not_logged", reason=str(error))
            )
            return
        logged = parts.notice(
            "logged", reference=ticket.reference, due_date=format_date(ticket.due_date)
        )
        await client.chat_postMessage(channel=user, text=logged)
        await parts.refresh_triage()

    bolt.view(blocks.LOG_VIEW)(ack=check_log, lazy=[log_request])


def _register_triage_buttons(bolt: AsyncApp, parts: Parts) -> None:
    """The buttons on a triage message: act at once, or open the extend or close modal."""

    @reported
    async def on_triage_button(body: Body, client: AsyncWebClient) -> None:
        action = body["actions"][0]
        reference, _, version = str(action["value"]).partition("|")
        kind = _ACTION_OF[action["action_id"]]
        if kind is Action.EXTEND:
            view = blocks.extend_modal(reference, parts.today(), parts.messages)
            await client.views_open(trigger_id=body["trigger_id"], view=view)
            return
        user = body["user"]["id"]
        if kind is Action.CLOSE:
            # The modal is this user's own: it offers Refused only if their role may refuse.
            await link_by_verified_email(parts, client, user)
            actor, _ = await parts.actor(client, user)
            may_refuse = await asyncio.to_thread(parts.requests.may_refuse, actor)
            modal = blocks.close_modal(reference, parts.messages, may_refuse=may_refuse)
            await client.views_open(trigger_id=body["trigger_id"], view=modal)
            return
        # The same button on the same version of the message acts once, however often pressed.
        if not parts.claim(f"slack:triage:{action['action_id']}:{reference}:{version}"):
            return
        await link_by_verified_email(parts, client, user)
        actor, name = await parts.actor(client, user)
        service = parts.requests
        try:
            if kind is Action.ASSIGN:
                await asyncio.to_thread(service.assign, reference, name, actor=actor)
            elif kind is Action.REQUEST_ID:
                await asyncio.to_thread(service.request_id, reference, actor=actor)
            elif kind is Action.ID_RECEIVED:
                await asyncio.to_thread(service.id_received, reference, actor=actor)
        except TicketError as error:
            channel = (body.get("channel") or {}).get("id") or user
            await client.chat_postEphemeral(channel=channel, user=user, text=str(error))
            return
        await parts.refresh_triage()

    bolt.action(re.compile("^triage_"))(ack=acknowledge, lazy=[on_triage_button])


def _register_modals(bolt: AsyncApp, parts: Parts) -> None:
    """Extending and closing: their modals are checked as Slack waits, then acted on once."""

    async def check_extend(ack: AsyncAck, view: Body) -> None:
        await _ack_form(ack, extend_form(view, parts.today()), parts.messages)

    async def check_close(ack: AsyncAck, view: Body) -> None:
        await _ack_form(ack, close_form(view), parts.messages)

    @reported
    async def extend_ticket(view: Body, body: Body, client: AsyncWebClient) -> None:
        form = extend_form(view, parts.today())
        if form.errors or not parts.claim(f"slack:view:{view['id']}"):
            return
        reference, user = view["private_metadata"], body["user"]["id"]
        actor, _ = await parts.actor(client, user)
        told = date.fromisoformat(form.values["told_on"])
        await _change(
            parts,
            client,
            user,
            lambda: parts.requests.extend(
                reference, form.values["reason"], actor=actor, told_on=told
            ),
        )

    @reported
    async def close_ticket(view: Body, body: Body, client: AsyncWebClient) -> None:
        form = close_form(view)
        if form.errors or not parts.claim(f"slack:view:{view['id']}"):
            return
        reference, user = view["private_metadata"], body["user"]["id"]
        actor, _ = await parts.actor(client, user)
        outcome = Outcome(form.values["outcome"])
        await _change(
            parts,
            client,
            user,
            lambda: parts.requests.close(
                reference, outcome, actor=actor, reason=form.values.get("reason")
            ),
        )

    bolt.view(blocks.EXTEND_VIEW)(ack=check_extend, lazy=[extend_ticket])
    bolt.view(blocks.CLOSE_VIEW)(ack=check_close, lazy=[close_ticket])


def _register_home(bolt: AsyncApp, parts: Parts) -> None:
    """The app's Home tab: the open tickets."""

    @reported
    async def publish_home(event: Body, client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        tickets = await asyncio.to_thread(parts.requests.list_tickets, TicketFilter())
        await client.views_publish(
            user_id=event["user"], view=blocks.home_view(tickets, parts.today(), parts.messages)
        )

    bolt.event("app_home_opened")(ack=acknowledge, lazy=[publish_home])


async def _ack_form(ack: AsyncAck, form: Form, messages: TicketMessages) -> None:
    if form.errors:
        say = messages.triage.say
        errors = {block: say(f"problems.{problem}") for block, problem in form.errors.items()}
        await ack(response_action="errors", errors=errors)
    else:
        await ack()


async def link_by_verified_email(parts: Parts, client: AsyncWebClient, user: str) -> None:
    """Link a Slack user to the console account with their Slack profile's (verified) email.

    Slack confirms the address of every workspace member (read with the users:read.email
    scope). Without one, or without a matching account, the user stays unlinked and the request
    service refuses their ticket work with a message saying how to get linked.
    """
    try:
        found = (await client.users_info(user=user)).get("user") or {}
    except SlackClientError as error:
        log.warning("Slack: no profile for %s (%s)", user, error)
        return
    email = (found.get("profile") or {}).get("email")
    if isinstance(email, str) and email.strip() and not found.get("is_bot"):
        links = StaffLinks(parts.requests.sessions)
        await asyncio.to_thread(links.link_verified_email, "slack", user, email)


async def _change(parts: Parts, client: AsyncWebClient, user: str, change: Any) -> None:
    await link_by_verified_email(parts, client, user)
    try:
        await asyncio.to_thread(change)
    except TicketError as error:
        await client.chat_postMessage(
            channel=user, text=parts.notice("not_changed", reason=str(error))
        )
        return
    await parts.refresh_triage()
