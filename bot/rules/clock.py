"""The school's time zone: the statutory clock counts London calendar days."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london_now() -> datetime:
    """Return the current time in Europe/London."""
    return datetime.now(LONDON)


def london_day(moment: datetime) -> date:
    """Return the London calendar day of an aware moment (the day the clock counts)."""
    return moment.astimezone(LONDON).date()
