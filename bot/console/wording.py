"""Times, dates, codes and periods as an office reads them: Europe/London, in words.

The joining words ("at", "none", "6 years") are the school's, from console_labels.yaml, so the
ones that need them are methods of `Wording`, made with those words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.content.wordbook import Wordbook
from bot.rules.clock import LONDON

_DAYS_IN_YEAR = 365


def long_date(day: date) -> str:
    """Wednesday 30 September 2026."""
    return day.strftime("%A %-d %B %Y")


def clock_time(moment: datetime) -> str:
    """9:05am, 12:00am (midnight), 2:30pm: the clock as people say it."""
    local = moment.astimezone(LONDON) if moment.tzinfo else moment
    return local.strftime("%-I:%M%p").lower()


def code_words(value: object) -> str:
    """A stored code as words: in_person -> in person; an enum's value likewise."""
    return str(getattr(value, "value", value)).replace("_", " ")


@dataclass(frozen=True)
class Wording:
    """The school's words for moments, empty values and periods (`when.*`)."""

    labels: Wordbook

    def long_moment(self, moment: datetime) -> str:
        """Wednesday 30 September 2026 at 9:05am, in London time whatever zone it was stored in."""
        local = moment.astimezone(LONDON) if moment.tzinfo else moment
        return self.labels.say("when.moment", day=long_date(local.date()), time=clock_time(local))

    def stored_value(self, value: str | None) -> str:
        """An audit trail value in words: ISO times in London, ISO dates long, codes spaced."""
        if value is None:
            return self.labels.say("when.none")
        if len(value) >= 16 and value[4:5] == "-" and "T" in value:
            try:
                return self.long_moment(datetime.fromisoformat(value))
            except ValueError:
                pass
        if len(value) == 10 and value[4:5] == "-":
            try:
                return long_date(date.fromisoformat(value))
            except ValueError:
                pass
        return code_words(value)

    def period(self, days: int) -> str:
        """A retention period as staff set it: 2190 days -> 6 years, 30 days -> 30 days."""
        if days >= _DAYS_IN_YEAR and days % _DAYS_IN_YEAR == 0:
            years = days // _DAYS_IN_YEAR
            return self.labels.say("when.year" if years == 1 else "when.years", count=years)
        return self.labels.say("when.day" if days == 1 else "when.days", count=days)
