"""The request log in the console: plain words on the page; the CSV keeps the codes beside them.

A spreadsheet or another system reads the machine columns (codes, ISO dates); a person reads
the words. The CSV carries both, the page only the words.
"""

from __future__ import annotations

import csv
import io
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from functools import lru_cache

from bot.console.wording import code_words
from bot.rules.deadlines import TicketKind
from bot.tickets.service import EXPORT_COLUMNS

# Each machine column and its heading on the page.
HEADINGS: Mapping[str, str] = {
    "reference": "Reference",
    "kind": "Kind",
    "channel": "Came by",
    "received": "Received",
    "requester_relationship": "Requester is",
    "subject_is_child": "About a child",
    "due_date": "Due",
    "extended": "Extended",
    "extension_reason": "Why extended",
    "extension_told_on": "Requester told of the extension",
    "id_requested_on": "ID asked for",
    "id_received_on": "ID received",
    "id_verified_by": "ID checked by",
    "id_not_needed_reason": "Why no ID was needed",
    "clock_pauses": "Clock pauses",
    "assignee": "Assignee",
    "status": "Status",
    "outcome": "Outcome",
    "outcome_reason": "Reason for the outcome",
    "closed_on": "Closed",
    "on_time": "On time",
}
_ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_DATE_COLUMNS = frozenset(
    {"due_date", "extension_told_on", "id_requested_on", "id_received_on", "closed_on"}
)
_CODE_COLUMNS = frozenset({"channel", "requester_relationship", "status", "outcome"})
# The CSV's extra columns: the coded ones again, in words.
WORDED_COLUMNS = ("kind", "channel", "received", "requester_relationship", "status", "outcome")
CSV_COLUMNS = (*EXPORT_COLUMNS, *(f"{column}_in_words" for column in WORDED_COLUMNS))


def _day(text: str) -> str:
    return date.fromisoformat(text).strftime("%-d %b %Y")


_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _moment(text: str) -> str:
    """3 Mar 2026, 9:05am. Spelt out rather than strftime: a large log has one per row."""
    at = datetime.fromisoformat(text)
    noon = "am" if at.hour < 12 else "pm"
    return f"{at.day} {_MONTHS[at.month]} {at.year}, {at.hour % 12 or 12}:{at.minute:02d}{noon}"


def _pauses(text: str) -> str:
    pauses = _ISO_DAY.sub(lambda match: _day(match.group(0)), text)
    return pauses.replace("awaiting_", "waiting for ").replace("_", " ")


def kinds_in_words(kind_label: Callable[[TicketKind], str]) -> Mapping[str, str]:
    """Each kind's code and its name in the school's words, worked out once per log."""
    return {kind.value: kind_label(kind).capitalize() for kind in TicketKind}


@lru_cache(maxsize=256)
def _code(code: str) -> str:
    return code_words(code).capitalize()


# How each column reads; any other is shown as it is. The codes are few and each is met
# thousands of times in a large log, so their words are worked out once.
_WORDING: Mapping[str, Callable[[str], str]] = {
    **dict.fromkeys(_CODE_COLUMNS, _code),
    **dict.fromkeys(_DATE_COLUMNS, _day),
    "received": _moment,
    "clock_pauses": _pauses,
}


def in_words(column: str, value: str, kinds: Mapping[str, str]) -> str:
    """One cell of the log as the office reads it; `kinds` from kinds_in_words."""
    if not value:
        return ""
    if value in ("yes", "no"):
        return value.capitalize()
    if column == "kind":
        return kinds.get(value, value)
    wording = _WORDING.get(column)
    return wording(value) if wording else value


def readable_row(row: Mapping[str, str], kinds: Mapping[str, str]) -> dict[str, str]:
    return {column: in_words(column, row[column], kinds) for column in EXPORT_COLUMNS}


_MACHINE_VALUES = operator.itemgetter(*EXPORT_COLUMNS)
_WORDED_VALUES = operator.itemgetter(*WORDED_COLUMNS)


def csv_row(row: Mapping[str, str], kinds: Mapping[str, str]) -> list[str]:
    """One line of the CSV (CSV_COLUMNS): the machine columns, then the coded ones in words."""
    # WORDED_COLUMNS spelt out, each with its wording: a large log has a hundred thousand rows.
    kind, channel, received, relationship, status, outcome = _WORDED_VALUES(row)
    return [
        *_MACHINE_VALUES(row),
        kinds.get(kind, kind) if kind else "",
        _code(channel) if channel else "",
        _moment(received) if received else "",
        _code(relationship) if relationship else "",
        _code(status) if status else "",
        _code(outcome) if outcome else "",
    ]


def csv_lines(
    rows: Callable[[], Iterator[dict[str, str]]], kind_label: Callable[[TicketKind], str]
) -> Iterator[str]:
    """The CSV, a line at a time, so a large log is never held in memory at once."""
    kinds = kinds_in_words(kind_label)
    out = io.StringIO()
    # A plain writer: DictWriter checks every row's keys, a third of the time of a large log.
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows():
        writer.writerow(csv_row(row, kinds))
        if out.tell() > 64_000:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()
