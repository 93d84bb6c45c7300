"""The ticket page's actions, each a form posted to /console/tickets/REF/ACTION.

Every action goes through the request service, as the CLI, Slack and Teams do, with the member
of staff's email as the actor, so it lands in the ticket's audit trail.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.console.accounts import StaffMember
from bot.console.auth import require_record_keeper
from bot.console.forms import Form, FormProblem
from bot.rules.deadlines import PauseReason
from bot.rules.lifecycle import Action, NoteVisibility, Outcome
from bot.tickets.reopening import Reopening
from bot.tickets.service import RequestService

Handler = Callable[[RequestService, str, Form, StaffMember], object]


@dataclass(frozen=True)
class ConsoleAction:
    """One form on the ticket page: the service action it needs and what it does.

    What it says afterwards is `done.<name>` in answers/console.yaml.
    """

    needs: Action
    run: Handler


def _take(service: RequestService, ref: str, form: Form, staff: StaffMember) -> object:
    return service.assign(ref, staff.email, actor=staff.email)


def _request_id(service: RequestService, ref: str, form: Form, staff: StaffMember) -> object:
    on = form.optional_date("on", "form.id_requested_day")
    return service.request_id(ref, actor=staff.email, on=on)


def _id_received(service: RequestService, ref: str, form: Form, staff: StaffMember) -> object:
    on = form.optional_date("on", "form.id_received_day")
    return service.id_received(ref, actor=staff.email, on=on)


def _id_not_needed(service: RequestService, ref: str, form: Form, staff: StaffMember) -> object:
    reason = form.text("reason", "form.id_not_needed_reason")
    return service.id_not_needed(ref, reason, actor=staff.email)


def _pause(service: RequestService, ref: str, form: Form, staff: StaffMember) -> object:
    try:
        reason = PauseReason(form.text("reason", "form.pause_reason"))
    except ValueError:
        raise FormProblem("form.pause_not_statutory") from None
    on = form.optional_date("on", "form.asked_day")
    return service.pause(ref, reason, actor=staff.email, on=on)


def _resume(service: RequestService, ref: str, form: Form, staff: StaffMember) -> object:
    on = form.optional_date("on", "form.arrived_day")
    return service.resume(ref, actor=staff.email, on=on)


def _hold(service: RequestService, ref: str, form: Form, staff: StaffMember) -> object:
    return service.record_hold(ref, form.text("reason", "form.hold_reason"), actor=staff.email)


def _extend(service: RequestService, ref: str, form: Form, staff: StaffMember) -> object:
    reason = form.text("reason", "form.extend_reason")
    told = form.optional_date("told_on", "form.told_day")
    return service.extend(ref, reason, actor=staff.email, told_on=told)


def _note(service: RequestService, ref: str, form: Form, staff: StaffMember) -> object:
    visibility = (
        NoteVisibility.TO_REQUESTER
        if form.get("visibility") == NoteVisibility.TO_REQUESTER.value
        else NoteVisibility.INTERNAL
    )
    text = form.text("text", "form.note")
    return service.add_note(ref, text, actor=staff.email, visibility=visibility)


class NeedsConfirmation(Exception):
    """Closing was asked for but not yet confirmed: the page shows what will happen first."""

    def __init__(self, outcome: Outcome, reason: str | None) -> None:
        super().__init__(outcome.value)
        self.outcome = outcome
        self.reason = reason


def _reassign(service: RequestService, ref: str, form: Form, staff: StaffMember) -> object:
    colleague = form.text("assignee", "form.assignee")
    return service.assign(ref, colleague, actor=staff.email)


def _reopen(service: RequestService, ref: str, form: Form, staff: StaffMember) -> object:
    reason = form.text("reason", "form.reopen_reason")
    reopening = Reopening(service.sessions, messages=service.messages)
    return reopening.reopen(ref, reason, actor=staff.email)


def _close(service: RequestService, ref: str, form: Form, staff: StaffMember) -> object:
    # No outcome is chosen for the member of staff: an unchosen one is a mistake, not a default.
    chosen = form.get("outcome") or ""
    if not chosen:
        raise FormProblem("form.outcome_missing")
    try:
        outcome = Outcome(chosen)
    except ValueError:
        raise FormProblem("form.outcome_unknown") from None
    if outcome is Outcome.REFUSED:
        require_record_keeper(staff, "close_refused")
    reason = form.optional_text("reason")
    if outcome is Outcome.REFUSED and reason is None:
        raise FormProblem("form.refusal_reason")
    if form.get("confirmed") != "yes":
        raise NeedsConfirmation(outcome, reason)
    return service.close(ref, outcome, actor=staff.email, reason=reason)


ACTIONS: Mapping[str, ConsoleAction] = {
    "take": ConsoleAction(Action.ASSIGN, _take),
    "request-id": ConsoleAction(Action.REQUEST_ID, _request_id),
    "id-received": ConsoleAction(Action.ID_RECEIVED, _id_received),
    "id-not-needed": ConsoleAction(Action.ID_NOT_NEEDED, _id_not_needed),
    "pause": ConsoleAction(Action.PAUSE, _pause),
    "resume": ConsoleAction(Action.RESUME, _resume),
    "hold": ConsoleAction(Action.NOTE, _hold),
    "extend": ConsoleAction(Action.EXTEND, _extend),
    "note": ConsoleAction(Action.NOTE, _note),
    "reassign": ConsoleAction(Action.ASSIGN, _reassign),
    "close": ConsoleAction(Action.CLOSE, _close),
    "reopen": ConsoleAction(Action.VIEW, _reopen),
}
