"""Tests for statutory due dates: ICO worked examples, pauses, school days and properties."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules.deadlines import (
    CalendarError,
    ClockChange,
    ClockChangeRefused,
    ClockPause,
    PauseReason,
    SchoolCalendar,
    TicketKind,
    days_left,
    due_date,
    has_statutory_deadline,
    is_working_day,
    next_working_day,
    one_month_from,
    refuse_clock_change,
    school_days_after,
)

SAR = TicketKind.SAR
ID = PauseReason.AWAITING_ID
FEE = PauseReason.AWAITING_FEE
CLARIFY = PauseReason.AWAITING_CLARIFICATION

# Kinds that always follow the one-month rule (educational records do outside maintained schools).
MONTH_KINDS = [
    k for k in TicketKind if k not in {TicketKind.COMPLAINT, TicketKind.EDUCATIONAL_RECORD}
]

# Autumn 2026 with a half-term week (26-30 October) and an INSET day on the Monday after it.
AUTUMN_2026: dict[str, Any] = {
    "terms": [
        {"start": "2026-09-03", "end": "2026-10-23"},
        {"start": "2026-11-02", "end": "2026-12-18"},
    ],
    "closures": ["2026-11-02"],
}


def autumn_2026() -> SchoolCalendar:
    return SchoolCalendar.from_mapping(AUTUMN_2026)


# --- working days and month arithmetic


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 4, 2), True),  # Thursday before Easter
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 4), False),  # Saturday
        (date(2026, 4, 5), False),  # Sunday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 4, 7), True),
        (date(2026, 12, 28), False),  # Boxing Day substitute (26th is a Saturday)
        (date(2026, 8, 31), False),  # late summer bank holiday
    ],
)
def test_is_working_day(day: date, expected: bool) -> None:
    assert is_working_day(day) is expected


def test_next_working_day_keeps_a_working_day() -> None:
    assert next_working_day(date(2026, 4, 7)) == date(2026, 4, 7)


def test_next_working_day_skips_easter() -> None:
    assert next_working_day(date(2026, 4, 3)) == date(2026, 4, 7)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2024, 9, 3), date(2024, 10, 3)),
        (date(2025, 1, 30), date(2025, 2, 28)),
        (date(2025, 1, 31), date(2025, 2, 28)),
        (date(2024, 1, 30), date(2024, 2, 29)),
        (date(2024, 1, 31), date(2024, 2, 29)),
        (date(2025, 3, 31), date(2025, 4, 30)),
        (date(2025, 12, 15), date(2026, 1, 15)),
        (date(2026, 1, 31), date(2026, 2, 28)),  # a Saturday: one_month_from does not roll
    ],
)
def test_one_month_from(start: date, expected: date) -> None:
    assert one_month_from(start) == expected


# --- ICO worked examples for subject access requests


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        # ICO: received 3 September, due 3 October (a Thursday in 2024).
        (date(2024, 9, 3), date(2024, 10, 3)),
        # No 30/31 February: the last day of February, in ordinary and leap years.
        (date(2025, 1, 30), date(2025, 2, 28)),
        (date(2025, 1, 31), date(2025, 2, 28)),
        (date(2024, 1, 30), date(2024, 2, 29)),
        (date(2024, 1, 31), date(2024, 2, 29)),
        (date(2025, 3, 31), date(2025, 4, 30)),
        # 28 February 2026 is a Saturday, so the clamped date rolls to Monday.
        (date(2026, 1, 31), date(2026, 3, 2)),
        # Christmas Day (Thu), Boxing Day (Fri), then the weekend.
        (date(2025, 11, 25), date(2025, 12, 29)),
        # Good Friday 2026 (3 April), then the weekend and Easter Monday.
        (date(2026, 3, 3), date(2026, 4, 7)),
        # Easter Monday 2026.
        (date(2026, 3, 6), date(2026, 4, 7)),
        # Due on a Saturday, and on a Sunday.
        (date(2026, 2, 14), date(2026, 3, 16)),
        (date(2026, 2, 15), date(2026, 3, 16)),
        # Received on a Saturday: day one is still the day of receipt.
        (date(2026, 3, 7), date(2026, 4, 7)),
        # School holidays do not stop the clock.
        (date(2026, 7, 20), date(2026, 8, 20)),
    ],
)
def test_sar_due_date(received: date, expected: date) -> None:
    assert due_date(SAR, received) == expected


@pytest.mark.parametrize("kind", MONTH_KINDS)
def test_other_rights_use_the_month_rule(kind: TicketKind) -> None:
    assert due_date(kind, date(2025, 11, 25)) == date(2025, 12, 29)


def test_extension_is_three_months_from_start() -> None:
    assert due_date(SAR, date(2026, 1, 31), extended=True) == date(2026, 4, 30)


def test_extension_runs_from_the_restarted_clock() -> None:
    pauses = [ClockPause(ID, date(2026, 2, 21), date(2026, 3, 10))]
    assert due_date(SAR, date(2026, 2, 20), extended=True, pauses=pauses) == date(2026, 6, 10)


# --- ID, fee and clarification


def test_id_arriving_restarts_the_clock() -> None:
    pauses = [ClockPause(ID, date(2026, 2, 21), date(2026, 3, 10))]
    assert due_date(SAR, date(2026, 2, 20), pauses=pauses) == date(2026, 4, 10)


def test_fee_arriving_restarts_the_clock() -> None:
    pauses = [ClockPause(FEE, date(2026, 2, 21), date(2026, 3, 10))]
    assert due_date(SAR, date(2026, 2, 20), pauses=pauses) == date(2026, 4, 10)


def test_latest_of_id_and_fee_wins() -> None:
    pauses = [
        ClockPause(ID, date(2026, 2, 21), date(2026, 3, 10)),
        ClockPause(FEE, date(2026, 2, 21), date(2026, 3, 2)),
    ]
    assert due_date(SAR, date(2026, 2, 20), pauses=pauses) == date(2026, 4, 10)


def test_open_id_pause_is_shown_as_if_id_arrived_today() -> None:
    pauses = [ClockPause(ID, date(2026, 2, 21), None)]
    assert due_date(SAR, date(2026, 2, 20), pauses=pauses, today=date(2026, 3, 10)) == date(
        2026, 4, 10
    )


def test_open_id_pause_without_today_counts_from_receipt() -> None:
    pauses = [ClockPause(ID, date(2026, 2, 21), None)]
    assert due_date(SAR, date(2026, 2, 20), pauses=pauses) == date(2026, 3, 20)


def test_clarification_adds_the_days_waited_both_included() -> None:
    # Due 10 March 2026; asked 12 February, answered 21 February: 10 days, so Friday 20 March.
    pauses = [ClockPause(CLARIFY, date(2026, 2, 12), date(2026, 2, 21))]
    assert due_date(SAR, date(2026, 2, 10), pauses=pauses) == date(2026, 3, 20)


def test_clarification_asked_and_answered_the_same_day_adds_one_day() -> None:
    pauses = [ClockPause(CLARIFY, date(2026, 2, 12), date(2026, 2, 12))]
    assert due_date(SAR, date(2026, 2, 10), pauses=pauses) == date(2026, 3, 11)


def test_clarification_days_are_added_before_rolling() -> None:
    # 10 March + 11 days is Saturday 21 March, which rolls to Monday 23 March.
    pauses = [ClockPause(CLARIFY, date(2026, 2, 12), date(2026, 2, 22))]
    assert due_date(SAR, date(2026, 2, 10), pauses=pauses) == date(2026, 3, 23)


def test_domain_example_clarification_over_new_year() -> None:
    # domain.md: received 31 Dec 2026, clarification 5-8 Jan 2027: 31 Jan + 4 days = Thu 4 Feb.
    pauses = [ClockPause(CLARIFY, date(2027, 1, 5), date(2027, 1, 8))]
    assert due_date(SAR, date(2026, 12, 31), pauses=pauses) == date(2027, 2, 4)


def test_overlapping_clarifications_count_each_day_once() -> None:
    pauses = [
        ClockPause(CLARIFY, date(2026, 2, 12), date(2026, 2, 20)),
        ClockPause(CLARIFY, date(2026, 2, 15), date(2026, 2, 21)),
    ]
    assert due_date(SAR, date(2026, 2, 10), pauses=pauses) == date(2026, 3, 20)


def test_adjacent_clarifications_count_every_day() -> None:
    pauses = [
        ClockPause(CLARIFY, date(2026, 2, 12), date(2026, 2, 16)),
        ClockPause(CLARIFY, date(2026, 2, 17), date(2026, 2, 21)),
    ]
    assert due_date(SAR, date(2026, 2, 10), pauses=pauses) == date(2026, 3, 20)


def test_open_clarification_counts_up_to_today() -> None:
    pauses = [ClockPause(CLARIFY, date(2026, 2, 12), None)]
    got = due_date(SAR, date(2026, 2, 10), pauses=pauses, today=date(2026, 2, 21))
    assert got == date(2026, 3, 20)


def test_open_clarification_without_today_adds_nothing() -> None:
    pauses = [ClockPause(CLARIFY, date(2026, 2, 12), None)]
    assert due_date(SAR, date(2026, 2, 10), pauses=pauses) == date(2026, 3, 10)


def test_clarification_before_id_arrives_is_not_added_twice() -> None:
    # Both asked on 21 February and answered on 10 March: the restart already absorbs the wait.
    pauses = [
        ClockPause(ID, date(2026, 2, 21), date(2026, 3, 10)),
        ClockPause(CLARIFY, date(2026, 2, 21), date(2026, 3, 10)),
    ]
    assert due_date(SAR, date(2026, 2, 20), pauses=pauses) == date(2026, 4, 10)


def test_pause_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before it started"):
        ClockPause(CLARIFY, date(2026, 2, 12), date(2026, 2, 11))


def test_pause_cannot_start_before_receipt() -> None:
    pauses = [ClockPause(ID, date(2026, 2, 1), date(2026, 2, 5))]
    with pytest.raises(ValueError, match="before receipt"):
        due_date(SAR, date(2026, 2, 10), pauses=pauses)


# --- complaints


def test_complaint_is_acknowledged_within_30_days_from_the_day_after_receipt() -> None:
    assert due_date(TicketKind.COMPLAINT, date(2026, 6, 20)) == date(2026, 7, 20)


def test_complaint_acknowledgement_rolls_past_a_weekend() -> None:
    # ICO complaints guidance: the 30th day, Sunday 19 July 2026, moves to Monday 20 July.
    assert due_date(TicketKind.COMPLAINT, date(2026, 6, 19)) == date(2026, 7, 20)


def test_complaint_acknowledgement_rolls_past_christmas() -> None:
    assert due_date(TicketKind.COMPLAINT, date(2026, 11, 25)) == date(2026, 12, 29)
    assert due_date(TicketKind.COMPLAINT, date(2026, 11, 26)) == date(2026, 12, 29)


@pytest.mark.parametrize(
    ("received", "statutory"),
    [(date(2026, 1, 30), False), (date(2026, 6, 18), False), (date(2026, 6, 19), True)],
)
def test_complaints_have_a_statutory_deadline_only_from_19_june_2026(
    received: date, statutory: bool
) -> None:
    assert has_statutory_deadline(TicketKind.COMPLAINT, received) is statutory
    assert has_statutory_deadline(SAR, received)


@pytest.mark.parametrize("change", list(ClockChange))
def test_complaints_and_maintained_educational_records_refuse_clock_changes(
    change: ClockChange,
) -> None:
    with pytest.raises(ClockChangeRefused, match=r"complaints cannot .*s\.164A"):
        refuse_clock_change(TicketKind.COMPLAINT, change, school_type="maintained")
    with pytest.raises(ClockChangeRefused, match=r"educational record .*reg\. 5"):
        refuse_clock_change(TicketKind.EDUCATIONAL_RECORD, change, school_type="maintained")
    refuse_clock_change(TicketKind.EDUCATIONAL_RECORD, change, school_type="academy")
    refuse_clock_change(SAR, change, school_type="maintained")


def test_complaint_ignores_pauses() -> None:
    pauses = [ClockPause(ID, date(2026, 6, 21), date(2026, 7, 10))]
    assert due_date(TicketKind.COMPLAINT, date(2026, 6, 20), pauses=pauses) == date(2026, 7, 20)


def test_complaint_cannot_be_extended() -> None:
    with pytest.raises(ValueError, match="complaints cannot be extended"):
        due_date(TicketKind.COMPLAINT, date(2026, 6, 20), extended=True)


# --- educational records and the school calendar


def test_educational_record_is_15_school_days() -> None:
    # Wed 14 Oct: 15-16 Oct (2), 19-23 Oct (7), half term, INSET on 2 Nov, 3-6 Nov (11), 9-12 (15).
    got = due_date(TicketKind.EDUCATIONAL_RECORD, date(2026, 10, 14), calendar=autumn_2026())
    assert got == date(2026, 11, 12)


def test_educational_record_received_in_half_term() -> None:
    # Nothing counts until 3 Nov (INSET on 2 Nov): 3-6 (4), 9-13 (9), 16-20 (14), 23 Nov (15).
    got = due_date(TicketKind.EDUCATIONAL_RECORD, date(2026, 10, 28), calendar=autumn_2026())
    assert got == date(2026, 11, 23)


def test_school_days_after_does_not_count_the_day_of_receipt() -> None:
    assert school_days_after(date(2026, 9, 3), 1, autumn_2026()) == date(2026, 9, 4)


def test_school_days_after_zero_is_the_start() -> None:
    assert school_days_after(date(2026, 9, 3), 0, autumn_2026()) == date(2026, 9, 3)


def test_educational_record_needs_a_calendar() -> None:
    with pytest.raises(CalendarError, match="school calendar"):
        due_date(TicketKind.EDUCATIONAL_RECORD, date(2026, 10, 14))


def test_educational_record_cannot_be_extended_in_a_maintained_school() -> None:
    with pytest.raises(ValueError, match="cannot be extended"):
        due_date(
            TicketKind.EDUCATIONAL_RECORD, date(2026, 10, 14), extended=True, calendar=autumn_2026()
        )


def test_calendar_running_out_is_an_error() -> None:
    with pytest.raises(CalendarError, match=r"ends on 2026-12-18; add next year's term dates"):
        due_date(TicketKind.EDUCATIONAL_RECORD, date(2026, 12, 10), calendar=autumn_2026())


def test_request_before_the_calendar_starts_is_an_error() -> None:
    with pytest.raises(CalendarError, match="starts on 2026-09-03"):
        due_date(TicketKind.EDUCATIONAL_RECORD, date(2026, 6, 10), calendar=autumn_2026())


@pytest.mark.parametrize("school_type", ["academy", "independent"])
@pytest.mark.parametrize(
    "received", [date(2026, 10, 14), date(2026, 12, 10), date(2026, 3, 3), date(2026, 1, 31)]
)
def test_educational_record_outside_maintained_schools_is_a_sar(
    school_type: str, received: date
) -> None:
    kwargs: dict[str, Any] = {"school_type": school_type, "calendar": autumn_2026()}
    assert due_date(TicketKind.EDUCATIONAL_RECORD, received, **kwargs) == due_date(SAR, received)


def test_academy_educational_record_can_be_extended_like_a_sar() -> None:
    got = due_date(
        TicketKind.EDUCATIONAL_RECORD, date(2026, 1, 31), school_type="academy", extended=True
    )
    assert got == date(2026, 4, 30)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 9, 3), True),  # first day of term, a Thursday
        (date(2026, 9, 5), False),  # Saturday
        (date(2026, 10, 27), False),  # half term
        (date(2026, 11, 2), False),  # INSET day
        (date(2026, 11, 3), True),
        (date(2026, 12, 21), False),  # after the last term
    ],
)
def test_is_school_day(day: date, expected: bool) -> None:
    assert autumn_2026().is_school_day(day) is expected


def test_bank_holiday_in_term_is_not_a_school_day() -> None:
    calendar = SchoolCalendar(terms=((date(2027, 4, 12), date(2027, 7, 21)),))
    assert not calendar.is_school_day(date(2027, 5, 3))  # early May bank holiday
    assert calendar.is_school_day(date(2027, 5, 4))


def test_calendar_accepts_date_objects_and_no_closures() -> None:
    calendar = SchoolCalendar.from_mapping(
        {"terms": [{"start": date(2026, 9, 3), "end": date(2026, 10, 23)}]}
    )
    assert calendar.terms == ((date(2026, 9, 3), date(2026, 10, 23)),)
    assert calendar.closures == frozenset()


def test_calendar_sorts_terms() -> None:
    calendar = SchoolCalendar.from_mapping(
        {"terms": list(reversed(AUTUMN_2026["terms"])), "closures": AUTUMN_2026["closures"]}
    )
    assert calendar == autumn_2026()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "list of terms"),
        ({"terms": "2026-09-03"}, "list of terms"),
        ({"terms": []}, "no terms"),
        ({"terms": [{"start": "2026-09-03"}]}, r"terms\[0\]: .* needs a 'start' and an 'end'"),
        (
            {"terms": [{"start": "2026-09-03", "end": "2026-10-23"}, {"start": "x", "end": "y"}]},
            r"terms\[1\]\.start: 'x' is not a date",
        ),
        ({"terms": [{"start": "2026-09-03", "end": "2026-13-01"}]}, r"terms\[0\]\.end"),
        ({"terms": [{"start": "2026-10-23", "end": "2026-09-03"}]}, r"terms\[0\]: ends on"),
        (
            {"terms": [{"start": datetime(2026, 9, 3, 9, 0), "end": "2026-10-23"}]},
            r"terms\[0\]\.start",
        ),
        (
            {"terms": AUTUMN_2026["terms"], "closures": ["2026-11-02", "2 Nov"]},
            r"closures\[1\]: '2 Nov' is not a date",
        ),
        ({"terms": AUTUMN_2026["terms"], "closures": "2026-11-02"}, "list of dates"),
        (
            {
                "terms": [
                    {"start": "2026-09-03", "end": "2026-10-23"},
                    {"start": "2026-10-20", "end": "2026-12-18"},
                ]
            },
            "overlap",
        ),
        (
            {
                "terms": [
                    {"start": "2026-09-03", "end": "2026-12-18"},
                    {"start": "2027-09-02", "end": "2027-12-17"},
                ]
            },
            "no terms between 2026-12-18 and 2027-09-02",
        ),
    ],
)
def test_bad_calendar_is_rejected(data: dict[str, Any], message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        SchoolCalendar.from_mapping(data)


# --- labels and days left


def test_enum_values() -> None:
    assert [k.value for k in TicketKind] == [
        "sar",
        "educational_record",
        "rectification",
        "erasure",
        "restriction",
        "objection",
        "direct_marketing",
        "automated_decision",
        "complaint",
    ]
    assert [r.value for r in PauseReason] == [
        "awaiting_id",
        "awaiting_fee",
        "awaiting_clarification",
    ]


@pytest.mark.parametrize(
    ("today", "expected"),
    [(date(2026, 4, 1), 9), (date(2026, 4, 10), 0), (date(2026, 4, 13), -3)],
)
def test_days_left(today: date, expected: int) -> None:
    assert days_left(date(2026, 4, 10), today) == expected


# --- properties

received_dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
month_kinds = st.sampled_from(MONTH_KINDS)


@st.composite
def received_and_pauses(draw: st.DrawFn) -> tuple[date, list[ClockPause]]:
    received = draw(received_dates)
    pauses: list[ClockPause] = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        started = received + timedelta(days=draw(st.integers(min_value=0, max_value=60)))
        length = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=60)))
        ended = None if length is None else started + timedelta(days=length)
        pauses.append(ClockPause(draw(st.sampled_from(PauseReason)), started, ended))
    return received, pauses


@settings(deadline=None)
@given(kind=month_kinds, received=received_dates, extended=st.booleans())
def test_month_rule_never_before_receipt_and_always_a_working_day(
    kind: TicketKind, received: date, extended: bool
) -> None:
    due = due_date(kind, received, extended=extended)
    assert due > received
    assert is_working_day(due)
    # Rolling never moves more than a long Christmas weekend past the calendar date.
    months = 3 if extended else 1
    assert due - (received + timedelta(days=31 * months)) <= timedelta(days=4)


@settings(deadline=None)
@given(received=received_dates)
def test_complaint_is_the_first_working_day_from_the_30th(received: date) -> None:
    due = due_date(TicketKind.COMPLAINT, received)
    assert due == next_working_day(received + timedelta(days=30))
    assert is_working_day(due)


@settings(deadline=None)
@given(kind=month_kinds, a=received_dates, b=received_dates, extended=st.booleans())
def test_month_rule_is_monotonic(kind: TicketKind, a: date, b: date, extended: bool) -> None:
    early, late = sorted((a, b))
    assert due_date(kind, early, extended=extended) <= due_date(kind, late, extended=extended)


@settings(deadline=None)
@given(kind=month_kinds, case=received_and_pauses())
def test_extension_never_earlier(kind: TicketKind, case: tuple[date, list[ClockPause]]) -> None:
    received, pauses = case
    normal = due_date(kind, received, pauses=pauses)
    assert due_date(kind, received, pauses=pauses, extended=True) >= normal


@settings(deadline=None)
@given(
    kind=month_kinds,
    case=received_and_pauses(),
    today_offset=st.integers(min_value=0, max_value=120),
    extended=st.booleans(),
)
def test_pauses_never_make_the_due_date_earlier(
    kind: TicketKind, case: tuple[date, list[ClockPause]], today_offset: int, extended: bool
) -> None:
    received, pauses = case
    today = received + timedelta(days=today_offset)
    without = due_date(kind, received, extended=extended, today=today)
    with_pauses = due_date(kind, received, pauses=pauses, extended=extended, today=today)
    assert with_pauses >= without
    assert is_working_day(with_pauses)


def synthetic_calendar() -> SchoolCalendar:
    # Three terms a year with the usual holiday gaps, wide enough for any date the properties draw.
    terms: list[tuple[date, date]] = []
    for year in range(2019, 2037):
        terms += [
            (date(year, 1, 5), date(year, 3, 31)),
            (date(year, 4, 15), date(year, 7, 20)),
            (date(year, 9, 1), date(year, 12, 18)),
        ]
    return SchoolCalendar(terms=tuple(terms), closures=frozenset({date(2026, 11, 2)}))


SYNTHETIC = synthetic_calendar()


@settings(deadline=None)
@given(a=received_dates, b=received_dates)
def test_educational_record_is_a_later_school_day_and_monotonic(a: date, b: date) -> None:
    early, late = sorted((a, b))
    due_early = due_date(TicketKind.EDUCATIONAL_RECORD, early, calendar=SYNTHETIC)
    due_late = due_date(TicketKind.EDUCATIONAL_RECORD, late, calendar=SYNTHETIC)
    assert due_early > early
    assert SYNTHETIC.is_school_day(due_early)
    assert due_early <= due_late
    counted = sum(
        SYNTHETIC.is_school_day(early + timedelta(days=i))
        for i in range(1, (due_early - early).days + 1)
    )
    assert counted == 15
