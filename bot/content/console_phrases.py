"""The office console's own sentences: what it says to staff (answers/console.yaml) and the words
it puts beside the records (answers/console_labels.yaml). Two files, because together they
would be some two hundred keys: one for messages, one for labels, each easy to find one's way in.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from bot.content.location import packaged_content_dir
from bot.content.wordbook import Wordbook

PHRASES_FILE = "console.yaml"
LABELS_FILE = "console_labels.yaml"


def _keys(groups: str) -> list[str]:
    """`group: a b c` lines as group.a group.b group.c; a bare word stands for itself."""
    keys: list[str] = []
    for line in groups.strip().splitlines():
        group, _, names = line.partition(":")
        keys += [f"{group.strip()}.{name}" for name in names.split()] if names else [group.strip()]
    return keys


# Looked up by the console's code; start-up fails if the school's file lacks one.
REQUIRED = _keys(
    """
    done: logged take request-id id-received id-not-needed pause resume hold extend note reassign
    done: close reopen letter added out_of_scope
    login: logged_out expired disabled failed
    problems: choose_file no_such_decision form_expired_heading form_expired
    problems: database_down_heading database_down not_found_heading no_such_account_change
    problems: no_paragraph
    form: id_not_needed_reason pause_reason pause_not_statutory hold_reason extend_reason note
    form: assignee reopen_reason outcome_missing outcome_unknown refusal_reason id_requested_day
    form: id_received_day asked_day arrived_day told_day email role first_password new_password
    form: example topic topic_unknown
    intake: kind channel relationship received_missing received_not_a_date received_future time
    intake: requester contact subject child details
    refused: heading admin_only record_keeper
    refused.to: close_refused refuse see_audit export_audit request_log purge unanswered
    refused.to: redaction_checks
    not_found: ticket action letter file
    staff_done: add disable enable reset unlock
    accounts: not_an_email not_a_role already_exists no_account password_too_short
    accounts: password_too_long wrong_password too_many_attempts disabled
    examples: empty no_intent duplicate invalid no_list dealt_with
    """
)
LABELS_REQUIRED = _keys(
    """
    badge: closed overdue_one overdue due_today left_one left extended
    badge.paused: awaiting_id awaiting_fee awaiting_clarification
    timeline: logged viewed assigned paused resumed id_not_needed extended closed reopened
    timeline: note_internal note_to_requester
    charts: per_month_title per_month_bar_one per_month_bar per_month_summary per_month_busiest
    charts: on_time_title on_time_bar on_time_summary overdue_title overdue_bar overdue_days_one
    charts: overdue_days overdue_summary overdue_none
    log: reference kind channel received requester_relationship subject_is_child due_date
    log: extended extension_reason extension_told_on id_requested_on id_received_on
    log: id_verified_by id_not_needed_reason clock_pauses assignee status outcome outcome_reason
    log: closed_on on_time yes no awaiting_id awaiting_fee awaiting_clarification
    due_filter: overdue week
    when: moment none year years day days
    """
)


def console_phrases(answers_dir: Path) -> Wordbook:
    return Wordbook.load(answers_dir / PHRASES_FILE, REQUIRED)


def console_labels(answers_dir: Path) -> Wordbook:
    return Wordbook.load(answers_dir / LABELS_FILE, LABELS_REQUIRED)


@lru_cache(maxsize=1)
def shipped_console_phrases() -> Wordbook:
    """The sentences shipped with the package, for a problem met outside the console (the
    `privacybot staff` commands, a log line); the console itself says it in the school's words."""
    return console_phrases(packaged_content_dir("answers"))
