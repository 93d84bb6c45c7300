"""The dashboard's figures and the SVG charts the server draws from them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient

from bot.console import charts
from bot.console.accounts import Role
from bot.console.figures import Overdue, figures, figures_from_tallies, month_starts
from bot.content.console_phrases import console_labels
from bot.content.location import packaged_content_dir
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Outcome
from bot.tickets.service import RequestService, TicketFilter, TicketView
from bot.tickets.tallies import DashboardTallies
from tests.conftest import Clock
from tests.console.conftest import sign_in

SVG = "{http://www.w3.org/2000/svg}"
LABELS = console_labels(packaged_content_dir("answers"))


def test_figures_count_by_month_and_kind_and_judge_on_time(
    service: RequestService, clock: Clock, new_request: Callable[..., TicketView]
) -> None:
    clock.set_day(date(2026, 1, 5))
    late = service.log(new_request(), actor="office")
    on_time = service.log(new_request(kind=TicketKind.ERASURE), actor="office")
    clock.set_day(date(2026, 1, 20))
    service.close(on_time.reference, Outcome.COMPLIED, actor="dpo")
    clock.set_day(date(2026, 3, 3))
    service.log(new_request(), actor="office")  # this month, still in time: no verdict yet

    numbers = figures(service.list_tickets(TicketFilter(include_closed=True)), clock.today)
    assert len(numbers.months) == 12
    assert numbers.months[-1].start == date(2026, 3, 1)
    january = next(m for m in numbers.months if m.start == date(2026, 1, 1))
    assert january.by_kind == {TicketKind.SAR: 1, TicketKind.ERASURE: 1}
    assert (january.on_time, january.late, january.on_time_share) == (1, 1, 0.5)
    assert numbers.months[-1].on_time_share is None
    assert [o.reference for o in numbers.overdue] == [late.reference]
    assert numbers.overdue[0].days == (clock.today - late.due_date).days
    assert (numbers.open_now, numbers.on_time_share) == (2, 0.5)
    assert numbers.kinds == (TicketKind.SAR, TicketKind.ERASURE)


def test_the_charts_are_valid_svg_with_a_title_and_a_bar_per_number(
    service: RequestService, clock: Clock, new_request: Callable[..., TicketView]
) -> None:
    for days in (50, 45, 2):
        service.log(new_request(received_at=clock.now - timedelta(days=days)), actor="office")
    numbers = figures(service.list_tickets(TicketFilter(include_closed=True)), clock.today)
    per_month = ET.fromstring(
        str(charts.requests_by_month(numbers.months, service.messages.kind_label, LABELS))
    )
    assert per_month.get("role") == "img"
    assert per_month.find(f"{SVG}title") is not None
    titles = [bar.findtext(f"{SVG}title") for bar in per_month.findall(f".//{SVG}rect")]
    assert titles == [
        "January 2026: 2 subject access requests",
        "March 2026: 1 subject access request",
    ]
    overdue = ET.fromstring(str(charts.overdue_now(numbers.overdue, LABELS)))
    assert len(overdue.findall(f".//{SVG}rect")) == 2
    on_time = ET.fromstring(str(charts.on_time_by_month(numbers.months, LABELS)))
    assert [t.text for t in on_time.findall(f"{SVG}text") if t.get("class") == "value"] == ["0%"]


def test_names_in_a_chart_are_escaped() -> None:
    overdue = [Overdue("<script>", TicketKind.SAR, date(2026, 1, 1), 3, None)]
    svg = str(charts.overdue_now(overdue, LABELS))
    assert "<script>" not in svg
    ET.fromstring(svg)


def test_what_a_screen_reader_hears_of_the_overdue_chart_counts_in_words() -> None:
    def description(*days: int) -> str:
        overdue = [
            Overdue(f"SAR-2026-000{n}", TicketKind.SAR, date(2026, 1, 1), d, None)
            for n, d in enumerate(days, start=1)
        ]
        svg = ET.fromstring(str(charts.overdue_now(overdue, LABELS)))
        return str(svg.find(f"{SVG}desc").text)  # type: ignore[union-attr]

    assert description(1) == "1 request is overdue, by 1 day."
    assert description(3, 12) == "2 requests are overdue; the longest by 12 days."
    assert description() == "Nothing is overdue."


def test_the_dashboard_page_draws_the_three_charts(
    app_client: TestClient, staff: dict[Role, str], log_ticket: Callable[..., TicketView]
) -> None:
    overdue = log_ticket(days_ago=60)
    log_ticket(days_ago=2, kind=TicketKind.COMPLAINT)
    sign_in(app_client, staff[Role.OFFICE])
    page = app_client.get("/console/dashboard")
    assert page.status_code == 200
    assert page.text.count('<svg class="chart"') == 3
    assert overdue.reference in page.text
    assert "Complaint about data handling" in page.text


def test_the_database_tallies_give_the_same_figures_as_counting_every_ticket(
    service: RequestService, clock: Clock, new_request: Callable[..., TicketView]
) -> None:
    clock.set_day(date(2026, 1, 5))
    service.log(new_request(), actor="office")  # becomes overdue
    on_time = service.log(new_request(kind=TicketKind.ERASURE), actor="office")
    # Received 1 June, due Wed 1 July; closed at 23:30 UTC that day, which is 00:30 on
    # 2 July in London (summer time): late, though the UTC date says otherwise.
    clock.set_day(date(2026, 6, 1))
    edge = service.log(new_request(), actor="office")
    assert edge.due_date == date(2026, 7, 1)
    clock.set_day(date(2026, 1, 20))
    service.close(on_time.reference, Outcome.COMPLIED, actor="dpo")
    clock.now = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)
    service.close(edge.reference, Outcome.COMPLIED, actor="dpo")
    clock.set_day(date(2026, 7, 3))

    counted = figures(service.list_tickets(TicketFilter(include_closed=True)), clock.today)
    starts = month_starts(clock.today)
    tallied = figures_from_tallies(
        DashboardTallies(service.sessions).tally(starts, clock.today), starts, clock.today
    )
    assert tallied == counted
    june = next(m for m in tallied.months if m.start == date(2026, 6, 1))
    assert (june.on_time, june.late) == (0, 1)
    assert tallied.overdue_total == 1
