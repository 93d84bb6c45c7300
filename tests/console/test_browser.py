"""The console in Debian's Chromium, against the real server, as the school office uses it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from bot.console.accounts import Role, StaffAccounts
from bot.rules.deadlines import TicketKind
from bot.tickets.service import RequestService, TicketView
from tests.console.conftest import FAST_HASHER, PASSWORD, sar_request
from tests.web.conftest import LiveServer, free_socket, watched_page, web_settings

pytestmark = pytest.mark.browser


@dataclass
class Console:
    url: str
    take: TicketView  # the ticket the office works through
    erasure: TicketView
    overdue: TicketView


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    settings = web_settings(tmp_path_factory.mktemp("console") / "data")
    service = RequestService.from_settings(settings)
    accounts = StaffAccounts(service.sessions, hasher=FAST_HASHER)
    for role in Role:
        accounts.add(f"{role.value}@school.example", PASSWORD, role, actor="test")
    seeded = Console(
        url="",
        take=service.log(sar_request(3), actor="office@school.example"),
        erasure=service.log(sar_request(8, kind=TicketKind.ERASURE), actor="office@school.example"),
        overdue=service.log(sar_request(50), actor="office@school.example"),
    )
    service.dispose()
    sock = free_socket()
    server = LiveServer.start(settings, sock)
    try:
        yield replace(seeded, url=server.url)
    finally:
        server.stop()


@pytest.fixture
def desk(browser: Any) -> Iterator[Any]:
    """A desktop-sized page; the test fails on any script error or CSP violation in it."""
    yield from watched_page(browser, width=1280, height=900)


def log_in(page: Any, console: Console, role: Role = Role.OFFICE) -> None:
    page.goto(f"{console.url}/console/tickets")
    expect(page.get_by_role("heading", name="Log in to the office console")).to_be_visible()
    page.get_by_label("Email address").fill(f"{role.value}@school.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Tickets")).to_be_visible()


def assert_no_violations(page: Any) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def timeline(page: Any) -> Any:
    return page.get_by_role("region", name="Timeline")


def test_the_office_filters_takes_extends_and_closes_a_ticket(desk: Any, console: Console) -> None:
    log_in(desk, console)
    rows = desk.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(3)
    desk.get_by_label("Kind").select_option("erasure")
    desk.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(console.erasure.reference)
    desk.get_by_role("link", name="Clear").click()
    desk.get_by_label("Due").select_option("overdue")
    desk.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("overdue")
    desk.get_by_role("link", name="Clear").click()

    desk.get_by_role("link", name=console.take.reference).click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text(console.take.reference)
    expect(timeline(desk)).to_contain_text("Logged")

    desk.get_by_role("button", name="Take it").click()
    expect(desk.get_by_role("status")).to_have_text("You have taken this ticket.")
    expect(timeline(desk)).to_contain_text("Assigned")
    expect(timeline(desk)).to_contain_text("Assignee: office@school.example")

    desk.get_by_label("Why (complex, or several requests)").fill("Several requests at once")
    desk.get_by_role("button", name="Extend to three months").click()
    expect(desk.get_by_role("status")).to_have_text("Extended to three months.")
    expect(timeline(desk)).to_contain_text("Extended")
    expect(desk.locator(".summary .badge")).to_contain_text("Extended")

    desk.get_by_label("Outcome").select_option("complied")
    desk.get_by_role("button", name="Close the ticket").click()
    desk.get_by_role("button", name="Yes, close it").click()
    expect(desk.get_by_role("status")).to_have_text("The ticket is closed.")
    expect(timeline(desk)).to_contain_text("Closed")
    expect(timeline(desk)).to_contain_text("Status: in progress → closed")
    expect(desk.locator(".summary .badge")).to_have_text("Closed")


def test_axe_finds_nothing_on_the_list_a_ticket_and_the_dashboard(
    desk: Any, console: Console
) -> None:
    log_in(desk, console, Role.DPO)
    assert_no_violations(desk)
    desk.goto(f"{console.url}/console/tickets/{console.overdue.reference}")
    assert_no_violations(desk)
    desk.goto(f"{console.url}/console/dashboard")
    expect(desk.locator("svg.chart")).to_have_count(3)
    assert_no_violations(desk)
    desk.goto(f"{console.url}/console/log")
    assert_no_violations(desk)


def test_a_post_without_the_csrf_token_is_refused_and_office_cannot_export(
    desk: Any, console: Console
) -> None:
    log_in(desk, console)
    # The browser's own cookies, but no token: what a forged form on another site would send.
    forged = desk.request.post(
        f"{console.url}/console/tickets/{console.erasure.reference}/take",
        form={"note": "x"},
        max_redirects=0,
    )
    assert forged.status == 403
    desk.goto(f"{console.url}/console/tickets/{console.erasure.reference}")
    expect(timeline(desk)).not_to_contain_text("Assigned")

    response = desk.goto(f"{console.url}/console/log.csv")
    assert response is not None
    assert response.status == 403
    expect(desk.get_by_role("heading", level=1)).to_have_text("You cannot do this with your role")


def test_the_console_works_with_the_keyboard(desk: Any, console: Console) -> None:
    log_in(desk, console)
    desk.keyboard.press("Tab")
    expect(desk.get_by_role("link", name="Skip to the main content")).to_be_focused()
    assert desk.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    desk.keyboard.press("Enter")
    for _ in range(12):
        desk.keyboard.press("Tab")
        if desk.evaluate("document.activeElement.id") == "f-kind":
            break
    expect(desk.get_by_label("Kind")).to_be_focused()
    desk.keyboard.press("Shift+Tab")
    expect(desk.get_by_label("Status")).to_be_focused()
