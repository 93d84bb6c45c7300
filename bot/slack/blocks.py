"""Block Kit for every message and view the Slack app shows: replies, triage, lists and modals.

What the bot *says* comes from answers/ through the handler; the words here are Slack's own
interface (button and field labels), for staff only. Triage messages and lists carry no
requester's details: Slack is another processor, and staff open the ticket in the office tools.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from bot.conversation.handoff import StaffWords
from bot.conversation.intake import format_date
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Action, Outcome, Relationship, RequestChannel
from bot.slack.markup import escape, to_mrkdwn
from bot.tickets.messages import TRIAGE_ACTIONS, TicketMessages
from bot.tickets.service import TicketView
from bot.types import Reply

Block = dict[str, Any]

CHOICE_ACTION = "choice"
CHOICES_BLOCK = "choices|"  # + the conversation id the buttons answer in
LOG_VIEW = "privacy_log"
EXTEND_VIEW = "privacy_extend"
CLOSE_VIEW = "privacy_close"
HANDOFF_CLOSE = "handoff_close"
# Triage buttons, in the order shown (their words: answers/triage.yaml, buttons).
TRIAGE_BUTTON_IDS: Mapping[Action, str] = {
    action: f"triage_{action.value.replace('-', '_')}" for action in TRIAGE_ACTIONS
}

_SECTION_LIMIT = 3000  # characters of text in one section block
_LIST_LIMIT = 40  # tickets in one list; a message holds at most 50 blocks
_PLATFORM_CHANNELS = {RequestChannel.SLACK: "Slack", RequestChannel.TEAMS: "Microsoft Teams"}


def text(words: str) -> Block:
    return {"type": "plain_text", "text": words[:150], "emoji": False}


def section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn[:_SECTION_LIMIT]}}


def context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn[:2000]}]}


def button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": text(label[:75]),
        "action_id": action_id,
        "value": value[:2000],
    }
    if style:
        element["style"] = style
    return element


def sections(mrkdwn: str) -> list[Block]:
    """Long text split at line ends into as many sections as it needs."""
    chunks: list[str] = []
    current = ""
    for line in mrkdwn.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > _SECTION_LIMIT and current:
            chunks.append(current)
            candidate = line
        current = candidate
    chunks.append(current)
    return [section(chunk) for chunk in chunks if chunk.strip()]


# -- replies from the handler ------------------------------------------------------------------


def reply_blocks(reply: Reply, conversation_id: str) -> list[Block]:
    """The reply as mrkdwn sections, its choices as buttons that answer in the same conversation."""
    blocks = sections(to_mrkdwn(reply.text))
    if reply.choices:
        blocks.append(
            {
                "type": "actions",
                # The block id carries the conversation, so a click needs no lookup.
                "block_id": (CHOICES_BLOCK + conversation_id)[:255],
                "elements": [
                    button(choice.label, f"{CHOICE_ACTION}:{index}", choice.value)
                    for index, choice in enumerate(reply.choices[:25])
                ],
            }
        )
    return blocks


def reply_text(reply: Reply) -> str:
    """The notification text Slack shows where blocks cannot be (and to screen readers)."""
    return to_mrkdwn(reply.text)[:3000]


# -- tickets -----------------------------------------------------------------------------------


def _capitalised(words: str) -> str:
    return words[:1].upper() + words[1:]


def channel_name(channel: RequestChannel, labels: Mapping[str, Any]) -> str:
    return str(labels.get(channel.value) or _PLATFORM_CHANNELS.get(channel) or channel.value)


def _status(ticket: TicketView) -> str:
    return ticket.status.value.replace("_", " ")


def _due(ticket: TicketView, today: date, messages: TicketMessages) -> str:
    return messages.due_words(
        format_date(ticket.due_date),
        closed=ticket.closed,
        paused=ticket.paused,
        days_left=ticket.days_left(today),
    )


def triage_blocks(
    ticket: TicketView,
    today: date,
    version: int,
    channel_labels: Mapping[str, Any],
    allowed: Collection[Action],
    messages: TicketMessages,
) -> tuple[str, list[Block]]:
    """The triage message for a ticket: its state, and a button for each action in `allowed`
    (what the ticket's status and the law for its kind allow: RequestService.actions_for)."""
    say, kind = messages.triage.say, messages.kind_label(ticket.kind)
    summary = f"{ticket.reference}: {kind}, {_status(ticket)}"
    assignee = escape(ticket.assignee) if ticket.assignee else say("values.nobody_yet")
    fields = [
        f"*{say('fields.status')}*\n{_status(ticket)}",
        f"*{say('fields.due')}*\n{_due(ticket, today, messages)}",
        f"*{say('fields.with')}*\n{assignee}",
        f"*{say('fields.came_by')}*\n{channel_name(ticket.channel, channel_labels)}, "
        f"{format_date(ticket.received_on)}",
    ]
    blocks: list[Block] = [
        section(f"*{ticket.reference}* · {_capitalised(kind)}"),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
        context(" · ".join(_details(ticket, messages))),
    ]
    buttons = [
        button(
            say(f"buttons.{action.value}"),
            TRIAGE_BUTTON_IDS[action],
            f"{ticket.reference}|{version}",
        )
        for action in TRIAGE_ACTIONS
        if action in allowed and not (action is Action.EXTEND and ticket.extended)
    ]
    if buttons:
        blocks.append({"type": "actions", "block_id": "triage", "elements": buttons})
    return summary, blocks


def _details(ticket: TicketView, messages: TicketMessages) -> list[str]:
    say = messages.triage.say
    relationship = say(f"relationships.{ticket.requester_relationship.value}").lower()
    details = [say("values.requester", relationship=relationship)]
    if ticket.subject_is_child:
        details.append(say("values.about_a_child"))
    if ticket.id_requested_on:
        details.append(say("values.id_requested", day=format_date(ticket.id_requested_on)))
    if ticket.id_received_on:
        details.append(say("values.id_received", day=format_date(ticket.id_received_on)))
    if ticket.extended:
        details.append(say("fields.extended").lower())
    if ticket.outcome:
        outcome = say(f"outcomes.{ticket.outcome.value}").lower()
        details.append(say("values.outcome", outcome=outcome))
    return details


def purged_blocks(reference: str, messages: TicketMessages) -> tuple[str, list[Block]]:
    words = messages.triage.say("list.purged", reference=reference)
    return words, [section(messages.triage.say("list.purged", reference=f"*{reference}*"))]


def ticket_list_blocks(
    tickets: Sequence[TicketView], today: date, messages: TicketMessages
) -> list[Block]:
    """Open tickets, soonest due first, one line each."""
    say = messages.triage.say
    if not tickets:
        return [section(say("list.none"))]
    blocks = [section(f"*{say('list.heading', count=len(tickets))}*")]
    for ticket in tickets[:_LIST_LIMIT]:
        who = escape(ticket.assignee) if ticket.assignee else say("list.not_taken")
        kind = messages.kind_label(ticket.kind)
        due = say("list.due", due=_due(ticket, today, messages))
        blocks.append(section(f"*{ticket.reference}* · {kind} · {_status(ticket)} · {who}\n{due}"))
    if len(tickets) > _LIST_LIMIT:
        blocks.append(context(say("list.more", count=len(tickets) - _LIST_LIMIT)))
    return blocks


def home_view(tickets: Sequence[TicketView], today: date, messages: TicketMessages) -> Block:
    listing = ticket_list_blocks(tickets, today, messages)
    return {"type": "home", "blocks": [*listing, context(messages.triage.say("slack_usage"))]}


# -- modals ------------------------------------------------------------------------------------


def _option(label: str, value: str) -> Block:
    return {"text": text(label[:75]), "value": value}


def _select(options: Iterable[tuple[str, str]], initial: str | None = None) -> Block:
    element: Block = {
        "type": "static_select",
        "action_id": "value",
        "options": [_option(label, value) for label, value in options],
    }
    if initial is not None:
        element["initial_option"] = next(o for o in element["options"] if o["value"] == initial)
    return element


def _input(block_id: str, label: str, element: Block, optional: bool = False) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": text(label),
        "element": element,
        "optional": optional,
    }


def _text_input(max_length: int, multiline: bool = False) -> Block:
    return {
        "type": "plain_text_input",
        "action_id": "value",
        "max_length": max_length,
        "multiline": multiline,
    }


def _date_input(today: date) -> Block:
    return {"type": "datepicker", "action_id": "value", "initial_date": today.isoformat()}


def _modal(
    callback_id: str, title: str, submit: str, cancel: str, blocks: list[Block], meta: str
) -> Block:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": text(title[:24]),
        "submit": text(submit),
        "close": text(cancel),
        "private_metadata": meta,
        "blocks": blocks,
    }


def log_modal(today: date, channel_labels: Mapping[str, Any], messages: TicketMessages) -> Block:
    """The form for a request that reached the school another way."""
    say = messages.triage.say
    kinds = [(_capitalised(messages.kind_label(kind)), kind.value) for kind in TicketKind]
    relationships = [(say(f"relationships.{r.value}"), r.value) for r in Relationship]
    channels = [(channel_name(c, channel_labels), c.value) for c in RequestChannel]
    yes_no = {
        "type": "radio_buttons",
        "action_id": "value",
        "options": [_option(say("forms.yes"), "yes"), _option(say("forms.no"), "no")],
    }
    blocks = [
        _input("kind", say("forms.kind"), _select(kinds, TicketKind.SAR.value)),
        _input("received", say("forms.received"), _date_input(today)),
        _input("channel", say("forms.channel"), _select(channels)),
        _input("requester", say("forms.requester"), _text_input(200)),
        _input("relationship", say("forms.relationship"), _select(relationships)),
        _input("subject", say("forms.subject"), _text_input(200)),
        _input("child", say("forms.child"), yes_no),
        _input("contact", say("forms.contact"), _text_input(200)),
        _input("details", say("forms.details"), _text_input(3000, multiline=True)),
    ]
    title, submit, cancel = say("forms.log_title"), say("forms.log_submit"), say("forms.cancel")
    return _modal(LOG_VIEW, title, submit, cancel, blocks, "")


def extend_modal(reference: str, today: date, messages: TicketMessages) -> Block:
    say = messages.triage.say
    blocks = [
        section(say("forms.extend_intro", reference=f"*{reference}*")),
        _input("reason", say("forms.extend_reason"), _text_input(2000, multiline=True)),
        _input("told_on", say("forms.told_on"), _date_input(today)),
    ]
    title, cancel = say("forms.extend_title"), say("forms.cancel")
    return _modal(EXTEND_VIEW, title, title, cancel, blocks, reference)


def close_modal(reference: str, messages: TicketMessages, *, may_refuse: bool) -> Block:
    """The outcome and reason; Refused only for someone whose role may refuse (dpo, admin)."""
    say = messages.triage.say
    outcomes = [
        (say(f"outcomes.{outcome.value}"), outcome.value)
        for outcome in Outcome
        if may_refuse or outcome is not Outcome.REFUSED
    ]
    reason = _input("reason", say("forms.reason"), _text_input(2000, multiline=True), optional=True)
    if may_refuse:
        reason["hint"] = text(say("forms.refusal_hint"))
    blocks = [
        section(say("forms.close_intro", reference=f"*{reference}*")),
        _input("outcome", say("forms.outcome"), _select(outcomes)),
    ]
    title, submit, cancel = say("forms.close_title"), say("forms.close_submit"), say("forms.cancel")
    return _modal(CLOSE_VIEW, title, submit, cancel, [*blocks, reason], reference)


def view_values(view: Mapping[str, Any]) -> dict[str, str]:
    """A submitted modal's answers by block id, whatever kind of input each block holds."""
    values: dict[str, str] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        state = actions.get("value", {})
        selected = state.get("selected_option") or {}
        answer = state.get("value") or state.get("selected_date") or selected.get("value")
        if answer:
            values[block_id] = str(answer)
    return values


# -- hand-offs ---------------------------------------------------------------------------------


def handoff_blocks(words: StaffWords, closed_by: str | None = None) -> tuple[str, list[Block]]:
    """The thread's first message: what staff are asked to do, and the button to finish."""
    asked = words.notice("handoff_asked")
    if closed_by is not None:
        return asked, [
            section(escape(asked)),
            context(escape(words.notice("handoff_closed", closed_by))),
        ]
    return asked, [
        section(f"{escape(asked)} {escape(words.notice('handoff_reply_here'))}"),
        {
            "type": "actions",
            "block_id": "handoff",
            # The thread is the hand-off: the click's message ts finds it.
            "elements": [button(words.button("close"), HANDOFF_CLOSE, "close")],
        },
    ]


PERSON = "person"


def transcript_text(words: StaffWords, transcript: Sequence[tuple[str, str]]) -> str:
    """The conversation so far, as one message in the thread.

    The bot's turns are its own markdown; a parent's words are shown exactly as typed, so a
    `[School portal](https://evil.example)` they wrote never becomes a link with a made-up label.
    """
    lines = [
        f"*{escape(words.speaker(role))}:* " + (escape(said) if role == PERSON else to_mrkdwn(said))
        for role, said in transcript
    ]
    return "\n\n".join(lines) or "(nothing yet)"


def relayed_text(words: StaffWords, said: str) -> str:
    """A parent's next message in the thread, as plain text (see transcript_text)."""
    return f"*{escape(words.speaker(PERSON))}:* {escape(said)}"
