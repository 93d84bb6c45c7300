"""What deadline reminders say, from answers/reminders.yaml: the lines, the summary, the digest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.content.location import packaged_content_dir
from bot.content.wordbook import Wordbook
from bot.tickets.notices import Notice, Reminder

REMINDERS_FILE = "reminders.yaml"
_KEYS = (
    "summary overdue_count due_soon_count counts_joined_by overdue_heading due_soon_heading line "
    "overdue due_today due_soon assigned unassigned one_day days open_in_console"
).split()


@dataclass(frozen=True)
class ReminderWords:
    """The school's wording for reminders; every sentence is filled in here, none elsewhere."""

    book: Wordbook

    @classmethod
    def load(cls, answers_dir: Path) -> ReminderWords:
        return cls(Wordbook.load(answers_dir / REMINDERS_FILE, _KEYS))

    def line(self, notice: Notice) -> str:
        """One request: "SAR-2026-0004 (subject access request): due Thu 5 Mar, in 2 days; ..."."""
        due = f"{notice.due_date:%a %-d %b}"
        days = self._days(notice.days)
        if notice.reminder is Reminder.OVERDUE:
            when = self.book.say("overdue", due=due, days=days)
        elif notice.days == 0:
            when = self.book.say("due_today", due=due)
        else:
            when = self.book.say("due_soon", due=due, days=days)
        who = (
            self.book.say("assigned", assignee=notice.assignee)
            if notice.assignee
            else self.book.say("unassigned")
        )
        return self.book.say(
            "line", reference=notice.reference, kind=notice.kind, when=when, who=who
        )

    def summary(self, notices: Sequence[Notice]) -> str:
        """The subject line: "Data protection requests: 1 overdue and 2 due soon"."""
        overdue = sum(1 for n in notices if n.reminder is Reminder.OVERDUE)
        soon = len(notices) - overdue
        counts = [self.book.say("overdue_count", count=overdue)] if overdue else []
        counts += [self.book.say("due_soon_count", count=soon)] if soon else []
        return self.book.say("summary", counts=self.book.entries["counts_joined_by"].join(counts))

    def plain_text(self, notices: Sequence[Notice]) -> str:
        """The notices as plain text, grouped: overdue, then due soon."""
        lines = [self.summary(notices), ""]
        for reminder in (Reminder.OVERDUE, Reminder.DUE_SOON):
            group = [n for n in notices if n.reminder is reminder]
            if group:
                heading = f"{reminder.value}_heading"
                lines.append(f"{self.book.say(heading)}:")
                lines += [f"- {self.line(n)}" + (f"\n  {n.link}" if n.link else "") for n in group]
                lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    @property
    def open_in_console(self) -> str:
        return self.book.say("open_in_console")

    def _days(self, count: int) -> str:
        return self.book.say("one_day" if count == 1 else "days", count=count)


@lru_cache(maxsize=1)
def shipped_reminder_words() -> ReminderWords:
    """The words shipped with the package, for reminders built without a school."""
    return ReminderWords.load(packaged_content_dir("answers"))
