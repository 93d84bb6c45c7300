"""The office console's own sentences (confirmations, login messages): answers/console.yaml."""

from __future__ import annotations

from pathlib import Path

from bot.content.wordbook import Wordbook

PHRASES_FILE = "console.yaml"
# Looked up by the console's code; start-up fails if the school's file lacks one.
REQUIRED = (
    "done.logged done.take done.request-id done.id-received done.id-not-needed done.pause "
    "done.resume done.hold done.extend done.note done.reassign done.close done.reopen "
    "done.letter done.added done.out_of_scope login.logged_out login.expired login.disabled "
    "login.failed problems.choose_file problems.no_such_decision problems.form_expired_heading "
    "problems.form_expired problems.database_down_heading problems.database_down"
).split()


def console_phrases(answers_dir: Path) -> Wordbook:
    return Wordbook.load(answers_dir / PHRASES_FILE, REQUIRED)
