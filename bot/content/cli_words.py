"""What the `privacybot` command prints to staff (results, refusals, summaries): answers/cli.yaml.

Loaded from the school's answers folder by each command as it starts (bot/cli/common.py), and
checked by `privacybot content check`. Only yaml: `classify` and `ask` may import this freely.
"""

from __future__ import annotations

from pathlib import Path

from bot.content.wordbook import Wordbook

WORDS_FILE = "cli.yaml"
# Looked up by the commands; a school's file without one of them stops the command, naming it.
REQUIRED = """
refused.who refused.not_a_date refused.received refused.status refused.kind refused.channel
refused.relationship refused.outcome summary.running summary.paused summary.late
list.none list.past_end list.shown list.shown_more list.reference list.kind list.received
list.status list.assignee list.due list.clock list.closed list.paused list.overdue list.left
show.reference show.kind show.channel show.received show.logged show.requester show.contact
show.relationship show.about show.request show.status show.assignee show.due show.extended
show.extension_told show.id_asked show.id_received show.id_verified_by show.id_not_needed
show.outcome show.outcome_reason show.closed show.conversation show.logged_by show.child
show.adult show.due_paused show.extended_yes show.extended_no show.pause show.pause_now
show.timeline show.when show.who show.what show.detail show.note
tickets.logged tickets.cannot_write tickets.written tickets.assigned tickets.noted
tickets.not_statutory tickets.held tickets.id_not_needed tickets.closed_on_time
tickets.closed_late tickets.refused tickets.reopened
deadline.none deadline.received deadline.pause_start deadline.pause_end deadline.restart
deadline.pause_two_dates deadline.pause_backwards deadline.pause_early deadline.restart_early
purge.tickets purge.tickets_dry_run purge.transcripts purge.transcripts_dry_run
reminders.bad_every reminders.failed reminders.due_no_target reminders.sent
reminders.would_send reminders.not_sent
staff.password staff.no_password staff.added staff.disabled staff.enabled staff.role
staff.link_whom staff.linked staff.reset staff.none staff.account staff.active staff.inactive
staff.never letters.sent triage.posted triage.unfinished teams.written
chat.welcome chat.you chat.no_database
""".split()


def cli_words(answers_dir: Path) -> Wordbook:
    return Wordbook.load(answers_dir / WORDS_FILE, REQUIRED)
