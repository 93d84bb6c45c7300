"""Block Kit for every message and view the Slack app shows: replies, triage, lists and modals.

What the bot *says* comes from answers/ through the handler; the words here are Slack's own
interface (button and field labels), for staff only. Triage messages and lists carry no
requester's details: Slack is another processor, and staff open the ticket in the office tools.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from bot.conversation.handoff import StaffWords
from bot.conversation.intake import format_date
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Action, Outcome, Relationship, RequestChannel
from bot.slack.markup import escape, to_mrkdwn
from bot.tickets.service import TicketView
from bot.types import Reply

Block = dict[str, Any]

CHOICE_ACTION = "choice"
CHOICES_BLOCK = "choices|"  # + the conversation id the buttons answer in
LOG_VIEW = "privacy_log"
EXTEND_VIEW = "privacy_extend"
CLOSE_VIEW = "privacy_close"
HANDOFF_CLOSE = "handoff_close"
# Triage buttons, in the order shown, by the service action each one performs.
TRIAGE_BUTTONS: Mapping[Action, tuple[str, str]] = {
    Action.ASSIGN: ("triage_assign", "Take it"),
    Action.REQUEST_ID: ("triage_request_id", "ID requested"),
    Action.ID_RECEIVED: ("triage_id_received", "ID received"),
    Action.EXTEND: ("triage_extend", "Extend"),
    Action.CLOSE: ("triage_close", "Close"),
}

_SECTION_LIMIT = 3000  # characters of text in one section block
_LIST_LIMIT = 40  # tickets in one list; a message holds at most 50 blocks
RELATIONSHIPS: Mapping[Relationship, str] = {
    Relationship.PARENT: "Parent",
    Relationship.CARER: "Carer",
    Relationship.PUPIL: "Pupil",
    Relationship.STAFF: "Member of staff",
    Relationship.REPRESENTATIVE: "Representative (solicitor, advocate)",
    Relationship.OTHER: "Someone else",
}
OUTCOMES: Mapping[Outcome, str] = {
    Outcome.COMPLIED: "Complied",
    Outcome.PARTLY_COMPLIED: "Partly complied",
    Outcome.REFUSED: "Refused",
    Outcome.WITHDRAWN: "Withdrawn",
    Outcome.NO_DATA_HELD: "No data held",
    Outcome.NOT_A_REQUEST: "Not a request",
}
_PLATFORM_CHANNELS = {RequestChannel.SLACK: "Slack", RequestChannel.TEAMS: "Microsoft Teams"}
USAGE = (
    "*/privacy* QUESTION: ask about the privacy notice (only you see the answer)\n"
    "*/privacy log*: record a request that came by phone, letter, email or in person\n"
    "*/privacy tickets*: the open requests and when each is due"
)


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


def _due(ticket: TicketView, today: date) -> str:
    due = format_date(ticket.due_date)
    if ticket.closed:
        return due
    if ticket.paused:
        return f"{due} (clock paused)"
    days = ticket.days_left(today)
    if days < 0:
        return f"{due} (*overdue by {-days} days*)"
    return f"{due} ({days} days left)" if days != 1 else f"{due} (1 day left)"


def triage_blocks(
    ticket: TicketView,
    today: date,
    version: int,
    channel_labels: Mapping[str, Any],
    allowed: Collection[Action],
    kind_label: Callable[[TicketKind], str],
) -> tuple[str, list[Block]]:
    """The triage message for a ticket: its state, and a button for each action in `allowed`
    (what the ticket's status and the law for its kind allow: RequestService.actions_for)."""
    summary = f"{ticket.reference}: {kind_label(ticket.kind)}, {_status(ticket)}"
    fields = [
        f"*Status*\n{_status(ticket)}",
        f"*Due*\n{_due(ticket, today)}",
        f"*Assigned to*\n{escape(ticket.assignee) if ticket.assignee else 'nobody yet'}",
        f"*Came by*\n{channel_name(ticket.channel, channel_labels)}, "
        f"{format_date(ticket.received_on)}",
    ]
    details = [f"Requester: {RELATIONSHIPS[ticket.requester_relationship].lower()}"]
    if ticket.subject_is_child:
        details.append("about a child")
    if ticket.id_requested_on:
        details.append(f"ID requested {format_date(ticket.id_requested_on)}")
    if ticket.id_received_on:
        details.append(f"ID received {format_date(ticket.id_received_on)}")
    if ticket.extended:
        details.append("extended")
    if ticket.outcome:
        details.append(f"outcome: {OUTCOMES[ticket.outcome].lower()}")
    blocks: list[Block] = [
        section(f"*{ticket.reference}* · {_capitalised(kind_label(ticket.kind))}"),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
        context(" · ".join(details)),
    ]
    buttons = [
        button(label, action_id, f"{ticket.reference}|{version}")
        for action, (action_id, label) in TRIAGE_BUTTONS.items()
        if action in allowed and not (action is Action.EXTEND and ticket.extended)
    ]
    if buttons:
        blocks.append({"type": "actions", "block_id": "triage", "elements": buttons})
    return summary, blocks


def purged_blocks(reference: str) -> tuple[str, list[Block]]:
    words = f"{reference}: deleted under the retention policy"
    return words, [section(f"*{reference}* · deleted under the retention policy")]


def ticket_list_blocks(
    tickets: Sequence[TicketView], today: date, kind_label: Callable[[TicketKind], str]
) -> list[Block]:
    """Open tickets, soonest due first, one line each."""
    if not tickets:
        return [section("No open requests.")]
    blocks = [section(f"*Open requests* ({len(tickets)}), soonest due first")]
    for ticket in tickets[:_LIST_LIMIT]:
        who = f" · {escape(ticket.assignee)}" if ticket.assignee else " · not taken"
        blocks.append(
            section(
                f"*{ticket.reference}* · {kind_label(ticket.kind)} · {_status(ticket)}{who}\n"
                f"Due {_due(ticket, today)}"
            )
        )
    if len(tickets) > _LIST_LIMIT:
        blocks.append(context(f"and {len(tickets) - _LIST_LIMIT} more"))
    return blocks


def home_view(
    tickets: Sequence[TicketView], today: date, kind_label: Callable[[TicketKind], str]
) -> Block:
    listing = ticket_list_blocks(tickets, today, kind_label)
    return {"type": "home", "blocks": [*listing, context(USAGE)]}


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


def _modal(callback_id: str, title: str, submit: str, blocks: list[Block], meta: str) -> Block:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": text(title[:24]),
        "submit": text(submit),
        "close": text("Cancel"),
        "private_metadata": meta,
        "blocks": blocks,
    }


def log_modal(
    today: date, channel_labels: Mapping[str, Any], kind_label: Callable[[TicketKind], str]
) -> Block:
    """The form for a request that reached the school another way."""
    kinds = [(_capitalised(kind_label(kind)), kind.value) for kind in TicketKind]
    relationships = [(label, r.value) for r, label in RELATIONSHIPS.items()]
    channels = [(channel_name(c, channel_labels), c.value) for c in RequestChannel]
    yes_no = {
        "type": "radio_buttons",
        "action_id": "value",
        "options": [_option("Yes", "yes"), _option("No", "no")],
    }
    blocks = [
        _input("kind", "Kind of request", _select(kinds, TicketKind.SAR.value)),
        _input("received", "Received on", _date_input(today)),
        _input("channel", "How it came", _select(channels)),
        _input("requester", "Requester's name", _text_input(200)),
        _input("relationship", "Who they are", _select(relationships)),
        _input("subject", "Who the information is about", _text_input(200)),
        _input("child", "Is that person a child?", yes_no),
        _input("contact", "Requester's email, phone or address", _text_input(200)),
        _input("details", "The request, in their words", _text_input(3000, multiline=True)),
    ]
    return _modal(LOG_VIEW, "Log a request", "Log it", blocks, "")


def extend_modal(reference: str, today: date) -> Block:
    blocks = [
        section(f"Extend *{reference}* by two months (complex or several requests)."),
        _input("reason", "Why it needs longer", _text_input(2000, multiline=True)),
        _input("told_on", "Requester told on", _date_input(today)),
    ]
    return _modal(EXTEND_VIEW, "Extend", "Extend", blocks, reference)


def close_modal(reference: str, *, may_refuse: bool) -> Block:
    """The outcome and reason; Refused only for someone whose role may refuse (dpo, admin)."""
    outcomes = [
        (label, outcome.value)
        for outcome, label in OUTCOMES.items()
        if may_refuse or outcome is not Outcome.REFUSED
    ]
    reason = _input("reason", "Reason", _text_input(2000, multiline=True), optional=True)
    if may_refuse:
        reason["hint"] = text("Required for a refusal: manifestly unfounded or excessive, and why.")
    blocks = [section(f"Close *{reference}*."), _input("outcome", "Outcome", _select(outcomes))]
    return _modal(CLOSE_VIEW, "Close", "Close it", [*blocks, reason], reference)


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
