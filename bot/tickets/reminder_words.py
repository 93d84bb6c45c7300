"""What deadline reminders say, from answers/reminders.yaml: the lines, the summary, the digest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.content.answers import load_facts
from bot.content.errors import ContentError
from bot.content.location import packaged_content_dir
from bot.tickets.notices import Notice, Reminder

REMINDERS_FILE = "reminders.yaml"
_KEYS = (
    "summary overdue_count due_soon_count counts_joined_by overdue_heading due_soon_heading line "
    "overdue due_today due_soon assigned unassigned one_day days open_in_console"
).split()


@dataclass(frozen=True)
class ReminderWords:
    """The school's wording for reminders; every sentence is filled in here, none elsewhere."""

    words: Mapping[str, str]

    @classmethod
    def load(cls, answers_dir: Path) -> ReminderWords:
        path = answers_dir / REMINDERS_FILE
        data = load_facts(path)
        missing = [key for key in _KEYS if not isinstance(data.get(key), str)]
        if missing:
            raise ContentError(f"{path}: no words for {', '.join(missing)}")
        return cls({key: str(data[key]) for key in _KEYS})

    def line(self, notice: Notice) -> str:
        """One request: "SAR-2026-0004 (subject access request): due Thu 5 Mar, in 2 days; ..."."""
        due = f"{notice.due_date:%a %-d %b}"
        days = self._days(notice.days)
        if notice.reminder is Reminder.OVERDUE:
            when = self.words["overdue"].format(due=due, days=days)
        elif notice.days == 0:
            when = self.words["due_today"].format(due=due)
        else:
            when = self.words["due_soon"].format(due=due, days=days)
        who = (
            self.words["assigned"].format(assignee=notice.assignee)
            if notice.assignee
            else self.words["unassigned"]
        )
        return self.words["line"].format(
            reference=notice.reference, kind=notice.kind, when=when, who=who
        )

    def summary(self, notices: Sequence[Notice]) -> str:
        """The subject line: "Data protection requests: 1 overdue and 2 due soon"."""
        overdue = len(self.overdue(notices))
        soon = len(notices) - overdue
        counts = [self.words["overdue_count"].format(count=overdue)] if overdue else []
        counts += [self.words["due_soon_count"].format(count=soon)] if soon else []
        return self.words["summary"].format(counts=self.words["counts_joined_by"].join(counts))

    def plain_text(self, notices: Sequence[Notice]) -> str:
        """The notices as plain text, grouped: overdue, then due soon."""
        overdue = self.overdue(notices)
        soon = [n for n in notices if n not in overdue]
        lines = [self.summary(notices), ""]
        for heading, group in (("overdue_heading", overdue), ("due_soon_heading", soon)):
            if group:
                lines.append(f"{self.words[heading]}:")
                lines += [f"- {self.line(n)}" + (f"\n  {n.link}" if n.link else "") for n in group]
                lines.append("")
        return "\n".join(lines).rstrip() + "\n"

    @property
    def open_in_console(self) -> str:
        return self.words["open_in_console"]

    @staticmethod
    def overdue(notices: Sequence[Notice]) -> list[Notice]:
        return [n for n in notices if n.reminder is Reminder.OVERDUE]

    def _days(self, count: int) -> str:
        return self.words["one_day" if count == 1 else "days"].format(count=count)


@lru_cache(maxsize=1)
def shipped_reminder_words() -> ReminderWords:
    """The words shipped with the package, for reminders built without a school."""
    return ReminderWords.load(packaged_content_dir("answers"))
