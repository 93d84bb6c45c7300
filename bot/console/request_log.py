"""The request log in the console: plain words on the page; the CSV keeps the codes beside them.

A spreadsheet or another system reads the machine columns (codes, ISO dates); a person reads
the words. The CSV carries both, the page only the words. The page's headings, its yes and no
and what a pause waited for are the school's words (`log.*` in answers/console_labels.yaml).
"""

from __future__ import annotations

import csv
import io
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from bot.console.wording import code_words
from bot.content.wordbook import Wordbook
from bot.rules.deadlines import PauseReason, TicketKind
from bot.tickets.service import EXPORT_COLUMNS

# The page shows every column of the request log, in its order; each one's heading is
# `log.<column>` in answers/console_labels.yaml.
PAGE_COLUMNS = EXPORT_COLUMNS
_PAUSE_CODE = re.compile(r"\bawaiting_[a-z_]+")
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


@dataclass(frozen=True)
class LogWords:
    """The school's words for one log, worked out once: kinds, yes and no, pause reasons."""

    kinds: Mapping[str, str]
    answers: Mapping[str, str]  # yes, no
    pauses: Mapping[str, str]  # awaiting_id -> waiting for ID


def log_words(kind_label: Callable[[TicketKind], str], labels: Wordbook) -> LogWords:
    return LogWords(
        kinds={kind.value: kind_label(kind).capitalize() for kind in TicketKind},
        answers={answer: labels.say(f"log.{answer}") for answer in ("yes", "no")},
        pauses={reason.value: labels.say(f"log.{reason.value}") for reason in PauseReason},
    )


def headings(labels: Wordbook) -> Mapping[str, str]:
    """Each column the page shows and its heading."""
    return {column: labels.say(f"log.{column}") for column in PAGE_COLUMNS}


def _pauses(text: str, words: LogWords) -> str:
    pauses = _ISO_DAY.sub(lambda match: _day(match.group(0)), text)
    return _PAUSE_CODE.sub(lambda match: words.pauses.get(match.group(0), match.group(0)), pauses)


@lru_cache(maxsize=256)
def _code(code: str) -> str:
    return code_words(code).capitalize()


# How each column reads; any other is shown as it is. The codes are few and each is met
# thousands of times in a large log, so their words are worked out once.
_WORDING: Mapping[str, Callable[[str], str]] = {
    **dict.fromkeys(_CODE_COLUMNS, _code),
    **dict.fromkeys(_DATE_COLUMNS, _day),
    "received": _moment,
}


def in_words(column: str, value: str, words: LogWords) -> str:
    """One cell of the log as the office reads it; `words` from log_words."""
    if not value:
        return ""
    if value in ("yes", "no"):
        return words.answers[value]
    if column == "kind":
        return words.kinds.get(value, value)
    if column == "clock_pauses":
        return _pauses(value, words)
    wording = _WORDING.get(column)
    return wording(value) if wording else value


def readable_row(row: Mapping[str, str], words: LogWords) -> dict[str, str]:
    return {column: in_words(column, row[column], words) for column in EXPORT_COLUMNS}


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


def csv_lines(rows: Callable[[], Iterator[dict[str, str]]], words: LogWords) -> Iterator[str]:
    """The CSV, a line at a time, so a large log is never held in memory at once."""
    kinds = words.kinds
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
