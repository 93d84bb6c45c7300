"""Statutory due dates for logged data-protection requests, as pure functions of dates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from itertools import pairwise
from typing import Any

import holidays
from dateutil.relativedelta import relativedelta

__all__ = [
    "COMPLAINT_DUTY_STARTS",
    "CalendarError",
    "ClockChange",
    "ClockChangeRefused",
    "ClockPause",
    "PauseReason",
    "SchoolCalendar",
    "TicketKind",
    "days_left",
    "due_date",
    "has_statutory_deadline",
    "is_working_day",
    "next_working_day",
    "one_month_from",
    "refuse_clock_change",
    "school_days_after",
]

MAINTAINED = "maintained"
EDUCATIONAL_RECORD_SCHOOL_DAYS = 15
COMPLAINT_ACKNOWLEDGE_DAYS = 30
# DPA 2018 s.164A (inserted by the Data (Use and Access) Act 2025) came into force on this day;
# complaints received before it have no statutory acknowledgement deadline.
COMPLAINT_DUTY_STARTS = date(2026, 6, 19)
# The longest real gap between terms is a summer holiday of about ten weeks; a longer gap almost
# always means a term or a whole year is missing from the configuration, which would silently push
# educational-record deadlines months too late.
_MAX_GAP_BETWEEN_TERMS = timedelta(days=100)


class CalendarError(ValueError):
    """The school calendar is missing, malformed, or does not cover the dates needed."""


class TicketKind(StrEnum):
    """The kind of request a ticket records, which decides the rule for its due date."""

    SAR = "sar"
    EDUCATIONAL_RECORD = "educational_record"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    DIRECT_MARKETING = "direct_marketing"
    AUTOMATED_DECISION = "automated_decision"
    COMPLAINT = "complaint"


class PauseReason(StrEnum):
    """A statutory reason the clock moves (UK GDPR Art. 12A); internal holds never move it."""

    AWAITING_ID = "awaiting_id"
    AWAITING_FEE = "awaiting_fee"
    AWAITING_CLARIFICATION = "awaiting_clarification"


# ID and fee do not pause the clock, they restart it: the month runs from their arrival.
_RESTARTING_REASONS = frozenset({PauseReason.AWAITING_ID, PauseReason.AWAITING_FEE})


class ClockChange(StrEnum):
    """A change to a ticket's clock that only some kinds of request allow."""

    EXTEND = "extend"
    RESTART = "restart"
    PAUSE = "pause"

    @property
    def verb(self) -> str:
        """The change as the end of "complaints cannot ..."."""
        return _CHANGE_VERBS[self]


_CHANGE_VERBS: Mapping[ClockChange, str] = {
    ClockChange.EXTEND: "be extended",
    ClockChange.RESTART: "have their clock restarted for ID or a fee",
    ClockChange.PAUSE: "have their clock paused for clarification",
}


class ClockChangeRefused(ValueError):
    """The kind of request has no such clock change; the message says which law and why."""


@dataclass(frozen=True)
class ClockPause:
    """A period spent waiting on the requester; `ended` is None while still waiting."""

    reason: PauseReason
    started: date
    ended: date | None = None

    def __post_init__(self) -> None:
        if self.ended is not None and self.ended < self.started:
            raise ValueError(
                f"{self.reason} pause ends on {self.ended}, before it started on {self.started}"
            )


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    """Return England and Wales bank holidays (including substitute days) for one year."""
    # One entry per year keeps the cache small and bounded however far apart the dates asked about.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def _is_bank_holiday(d: date) -> bool:
    """Return whether `d` is a bank holiday in England and Wales."""
    return d in _bank_holidays(d.year)


def is_working_day(d: date) -> bool:
    """Return whether `d` is Monday to Friday and not an England and Wales bank holiday."""
    return d.weekday() < 5 and not _is_bank_holiday(d)


def next_working_day(d: date) -> date:
    """Return `d` if it is a working day, otherwise the first working day after it."""
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


def one_month_from(start: date) -> date:
    """Return the same date next month, or that month's last day if it has no such date."""
    # relativedelta clamps to the month end (31 Jan -> 28/29 Feb), which is the ICO's rule.
    return start + relativedelta(months=1)


def _parse_date(value: object, where: str) -> date:
    """Return `value` as a date, accepting ISO strings and date objects, naming `where` on error."""
    # A datetime is a date subclass but does not compare with plain dates, so it would fail later.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CalendarError(f"{where}: {value!r} is not a date; write it as YYYY-MM-DD")


@dataclass(frozen=True)
class SchoolCalendar:
    """Term dates and in-term closures, from which school days are counted."""

    terms: tuple[tuple[date, date], ...]
    closures: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.terms:
            raise CalendarError("the school calendar has no terms; add this year's term dates")
        for first, last in self.terms:
            if last < first:
                raise CalendarError(f"the term {first} to {last} ends before it starts")
        ordered = tuple(sorted(self.terms))
        for (first_a, last_a), (first_b, last_b) in pairwise(ordered):
            if first_b <= last_a:
                raise CalendarError(
                    f"the terms {first_a} to {last_a} and {first_b} to {last_b} overlap"
                )
            if first_b - last_a > _MAX_GAP_BETWEEN_TERMS:
                raise CalendarError(
                    f"there are no terms between {last_a} and {first_b}; add the missing term dates"
                )
        # Sorted terms let the counting code treat the last term's end as the calendar's end.
        object.__setattr__(self, "terms", ordered)

    @property
    def first_day(self) -> date:
        """Return the first day of the earliest term."""
        return self.terms[0][0]

    @property
    def last_day(self) -> date:
        """Return the last day of the latest term."""
        return self.terms[-1][1]

    def is_school_day(self, d: date) -> bool:
        """Return whether `d` is a weekday in term that is neither a bank holiday nor a closure."""
        return (
            any(first <= d <= last for first, last in self.terms)
            and is_working_day(d)
            and d not in self.closures
        )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SchoolCalendar:
        """Build a calendar from `{"terms": [{"start": ..., "end": ...}], "closures": [...]}`."""
        raw_terms = data.get("terms")
        if not isinstance(raw_terms, Sequence) or isinstance(raw_terms, str):
            raise CalendarError("the school calendar needs a list of terms under 'terms'")
        terms: list[tuple[date, date]] = []
        for index, entry in enumerate(raw_terms):
            where = f"terms[{index}]"
            if not isinstance(entry, Mapping) or "start" not in entry or "end" not in entry:
                raise CalendarError(f"{where}: {entry!r} needs a 'start' and an 'end' date")
            first = _parse_date(entry["start"], f"{where}.start")
            last = _parse_date(entry["end"], f"{where}.end")
            if last < first:
                raise CalendarError(f"{where}: ends on {last}, before it starts on {first}")
            terms.append((first, last))
        raw_closures = data.get("closures") or ()
        if not isinstance(raw_closures, Iterable) or isinstance(raw_closures, str | Mapping):
            raise CalendarError("'closures' must be a list of dates")
        closures = frozenset(
            _parse_date(value, f"closures[{index}]") for index, value in enumerate(raw_closures)
        )
        return cls(terms=tuple(terms), closures=closures)


def school_days_after(start: date, n: int, calendar: SchoolCalendar) -> date:
    """Return the date of the n-th school day after `start`, not counting `start` itself."""
    # The day of receipt is not counted: "within fifteen school days of receipt" gives the school
    # fifteen whole school days, and a request can arrive after the school day has ended.
    if n < 0:
        raise ValueError(f"cannot count {n} school days")
    if start < calendar.first_day:
        # Days before the first term would count as holiday, giving a deadline that is too late.
        raise CalendarError(
            f"the school calendar starts on {calendar.first_day}, after {start}; "
            "add the earlier term dates"
        )
    d = start
    counted = 0
    while counted < n:
        d += timedelta(days=1)
        if d > calendar.last_day:
            raise CalendarError(
                f"the school calendar ends on {calendar.last_day}; add next year's term dates"
            )
        if calendar.is_school_day(d):
            counted += 1
    return d


def _clock_start(received: date, pauses: Sequence[ClockPause], today: date) -> date:
    """Return the day the month starts: the latest of receipt and any ID or fee arriving."""
    start = received
    for pause in pauses:
        if pause.reason in _RESTARTING_REASONS:
            # Still waiting: show the date as if the ID or fee came today; callers show "paused".
            arrived = pause.ended if pause.ended is not None else today
            start = max(start, arrived)
    return start


def _clarification_days(pauses: Sequence[ClockPause], clock_start: date, today: date) -> int:
    """Return how many days the clock stood still for clarification after it started."""
    # DPA 2018 s.54(3C), which Art. 12A mirrors, excludes the period *beginning with* the day the
    # school asks and *ending with* the day the answer arrives: both days count.
    intervals: list[tuple[date, date]] = []
    for pause in pauses:
        if pause.reason is not PauseReason.AWAITING_CLARIFICATION:
            continue
        # Days up to a restart are already absorbed by it (the restart day is day one of the new
        # month), so a clarification that began before the restart counts only the days after it.
        first = pause.started if pause.started >= clock_start else clock_start + timedelta(days=1)
        # An open pause counts up to today, and nothing while today is before it started.
        last = pause.ended if pause.ended is not None else today
        if last >= first:
            intervals.append((first, last))
    # Merge overlapping pauses so a day asked about twice is only added once.
    total = 0
    current: tuple[date, date] | None = None
    for first, last in sorted(intervals):
        if current is not None and first <= current[1] + timedelta(days=1):
            current = (current[0], max(current[1], last))
            continue
        if current is not None:
            total += (current[1] - current[0]).days + 1
        current = (first, last)
    if current is not None:
        total += (current[1] - current[0]).days + 1
    return total


def _rights_request_due(
    received: date, *, extended: bool, pauses: Sequence[ClockPause], today: date
) -> date:
    """Return the due date under UK GDPR Art. 12(3) and 12A for a rights request."""
    start = _clock_start(received, pauses, today)
    months = 3 if extended else 1
    due = start + relativedelta(months=months)
    due += timedelta(days=_clarification_days(pauses, start, today))
    # The ICO allows a deadline on a weekend or bank holiday to move to the next working day.
    return next_working_day(due)


def has_statutory_deadline(kind: TicketKind, received: date) -> bool:
    """Return whether the law sets a date for a request of `kind` received on `received`."""
    return kind is not TicketKind.COMPLAINT or received >= COMPLAINT_DUTY_STARTS


def _follows_the_2005_regulations(kind: TicketKind, school_type: str) -> bool:
    return kind is TicketKind.EDUCATIONAL_RECORD and school_type == MAINTAINED


def refuse_clock_change(kind: TicketKind, change: ClockChange, *, school_type: str) -> None:
    """Raise ClockChangeRefused when the law gives a request of `kind` no such clock change."""
    if kind is TicketKind.COMPLAINT:
        raise ClockChangeRefused(
            f"complaints cannot {change.verb}: DPA 2018 s.164A sets a fixed 30 days to "
            "acknowledge it, with no ID, fee, clarification or extension"
        )
    if _follows_the_2005_regulations(kind, school_type):
        raise ClockChangeRefused(
            f"educational record requests at a maintained school cannot {change.verb}: the "
            "2005 Regulations (reg. 5) give 15 school days with no ID, fee, clarification or "
            "extension"
        )


def _complaint_acknowledgement_due(received: date) -> date:
    # Day one is the day after receipt, and a last day on a weekend or bank holiday moves to the
    # next working day (ICO complaints guidance, February 2026). Before s.164A was in force there
    # was no statutory date; the same 30 days are then only good practice.
    return next_working_day(received + timedelta(days=COMPLAINT_ACKNOWLEDGE_DAYS))


def due_date(
    kind: TicketKind,
    received: date,
    *,
    extended: bool = False,
    pauses: Sequence[ClockPause] = (),
    calendar: SchoolCalendar | None = None,
    school_type: str = MAINTAINED,
    today: date | None = None,
) -> date:
    """Return the due date for a request of `kind` received on `received`.

    A complaint received before 19 June 2026 still gets the 30-day date, as good practice; ask
    `has_statutory_deadline` whether the law sets it.
    """
    # `today` only matters for open pauses, which count up to it; without it they count up to
    # receipt, i.e. an open ID or fee pause is shown as if it arrived on receipt.
    as_of = received if today is None else today
    for pause in pauses:
        if pause.started < received:
            raise ValueError(f"{pause.reason} pause starts on {pause.started}, before receipt")
    if extended:
        refuse_clock_change(kind, ClockChange.EXTEND, school_type=school_type)

    if kind is TicketKind.COMPLAINT:
        # Art. 12A pauses do not apply to complaints, so any recorded ones are ignored.
        return _complaint_acknowledgement_due(received)

    if _follows_the_2005_regulations(kind, school_type):
        if calendar is None:
            raise CalendarError(
                "educational record requests need the school calendar; add the term dates"
            )
        # The 2005 Regulations have no ID, fee or clarification pause, so pauses are ignored.
        return school_days_after(received, EDUCATIONAL_RECORD_SCHOOL_DAYS, calendar)

    # Academies, free schools and independent schools have no educational-record right of their
    # own: parents there make a subject access request, so the one-month rule applies.
    return _rights_request_due(received, extended=extended, pauses=pauses, today=as_of)


def days_left(due: date, today: date) -> int:
    """Return the days from `today` until `due`, negative once the request is overdue."""
    return (due - today).days
