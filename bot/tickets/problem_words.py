"""The keys of answers/ticket_problems.yaml: why the request service refused a change, as staff
read it in every channel. Each one is required, so a school's copy missing one stops the start."""

from __future__ import annotations

PROBLEMS_FILE = "ticket_problems.yaml"

# The phrases that stand for {what} in "missing", "too_long" and the date problems.
WHAT = (
    "requester_name",
    "requester_contact",
    "subject_name",
    "request_text",
    "assignee",
    "note",
    "hold_reason",
    "id_not_needed_reason",
    "extension_reason",
    "reopen_reason",
    "pause",
    "pause_end",
    "told_on",
)

PROBLEM_KEYS = (
    *"""
    no_ticket no_file file_unreadable no_link missing too_long no_actor no_time_zone
    received_in_future spoken_educational_record not_allowed not_allowed_closed day_in_future
    day_before_receipt
    pause_ends_before_start pauses_overlap id_already_requested already_extended told_too_late
    refusal_reason_missing not_closed calendar this_request unlinked record_keepers_only
    refuse_a_request do_this files.wrong_type files.not_really files.too_big
    letter_does_not_fit letter_paragraph_missing checks_unconfirmed
    checks_first response_files_first choose_outcome unknown_button
    """.split(),
    *(f"what.{what}" for what in WHAT),
)
