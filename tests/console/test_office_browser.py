"""Issue 16 in Debian's Chromium, as the school office uses it: log, find, reassign, close,
reopen, read the timeline, disable a colleague, work on a phone, and teach the bot a question.

Screenshots go to $CONSOLE_SHOTS (if set), to be looked at by a person.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from bot.rules.clock import london_now
from bot.rules.deadlines import TicketKind
from tests.console.conftest import PASSWORD, live_console, sar_request
from tests.web.conftest import watched_page, web_settings

pytestmark = pytest.mark.browser

PACKAGED_INTENTS = Path(__file__).resolve().parents[2] / "intents"
SUPPLY = "supply.teacher@school.example"
NURSE = "does the swimming coach get my childs medical form"
SHOTS = os.environ.get("CONSOLE_SHOTS")


@dataclass
class Office:
    url: str
    intents: Path


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    root = tmp_path_factory.mktemp("office")
    intents = root / "intents"
    shutil.copytree(PACKAGED_INTENTS, intents)
    settings = web_settings(root / "data", intents_dir=intents)
    tickets = [
        sar_request(days, kind=kind)
        for days, kind in ((3, TicketKind.SAR), (8, TicketKind.ERASURE), (50, TicketKind.SAR))
    ]
    with live_console(settings, more_staff=[SUPPLY], tickets=tickets) as server:
        yield Office(server.url, intents)


@pytest.fixture
def desk(browser: Any) -> Iterator[Any]:
    yield from watched_page(browser, width=1280, height=900)


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    yield from watched_page(browser, width=390, height=844)


def log_in(page: Any, office: Office, email: str) -> None:
    page.goto(f"{office.url}/console/tickets")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="Tickets")).to_be_visible()


def check(page: Any, name: str) -> None:
    """No accessibility violations; a full-page screenshot when asked for."""
    results = Axe().run(page)
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def timeline(page: Any) -> Any:
    return page.get_by_role("region", name="Timeline")


def test_a_phone_request_from_logging_to_reopening(desk: Any, office: Office) -> None:
    log_in(desk, office, "office@school.example")
    desk.get_by_role("link", name="Log a request").click()
    check(desk, "01-new-request")
    desk.get_by_label("Kind of request").select_option("sar")
    desk.get_by_label("How it came").select_option("phone")
    received = london_now().date() - timedelta(days=2)
    desk.get_by_label("Day received").fill(received.isoformat())
    desk.get_by_label("Time").fill("15:20")
    desk.get_by_label("Requester's name").fill("Joanne Whitfield")
    desk.get_by_label("How to reach them").fill("07700 900461")
    desk.get_by_label("Who they are").select_option("parent")
    desk.get_by_label("Whom the data is about").fill("Maisie Whitfield")
    desk.get_by_role("button", name="Log the request").click()
    # Forgot to say whether Maisie is a child: told so, with everything typed still there.
    expect(desk.get_by_role("alert")).to_contain_text("Say whether the data is about a child")
    expect(desk.get_by_label("Requester's name")).to_have_value("Joanne Whitfield")
    check(desk, "02-new-request-problem")
    desk.get_by_label("Yes, a child").check()
    desk.get_by_label("What they asked for, in their words").fill(
        "Wants everything you hold on Maisie, including the behaviour log"
    )
    desk.get_by_role("button", name="Log the request").click()
    expect(desk.get_by_role("status")).to_contain_text("The request is logged")
    reference = desk.get_by_role("heading", level=1).inner_text().split()[0]

    desk.get_by_role("link", name="All tickets").click()
    desk.get_by_role("searchbox").fill("maisie whitfield")
    desk.get_by_role("button", name="Search").click()
    rows = desk.locator("table.tickets tbody tr")
    expect(rows).to_have_count(1)
    check(desk, "03-search")
    rows.first.get_by_role("link", name=reference).click()

    desk.get_by_label("Colleague").select_option("dpo@school.example")
    desk.get_by_role("button", name="Reassign").click()
    expect(desk.get_by_role("status")).to_have_text("The ticket has a new assignee.")
    expect(desk.locator(".summary")).to_contain_text("with dpo@school.example")

    desk.get_by_label("Outcome").select_option("complied")
    desk.get_by_role("button", name="Close the ticket").click()
    question = desk.get_by_role("alertdialog", name=f"Close {reference}?")
    expect(question).to_contain_text("complied")
    check(desk, "04-close-confirmation")
    question.get_by_role("button", name="Yes, close it").click()
    expect(desk.get_by_role("status")).to_have_text("The ticket is closed.")

    desk.get_by_label("Why it needs reopening").fill("Mum rang: she also wants the emails")
    desk.get_by_role("button", name="Reopen the ticket").click()
    expect(desk.get_by_role("status")).to_contain_text("open again")
    expect(timeline(desk)).to_contain_text("Reopened")
    expect(timeline(desk)).to_contain_text("Mum rang: she also wants the emails")
    # Times in words, in London; one "Viewed" for this whole visit.
    expect(timeline(desk)).to_contain_text(f"Received at: {received:%A %-d %B %Y} at 3:20pm")
    expect(timeline(desk)).not_to_contain_text("+00:00")
    assert timeline(desk).get_by_text("Viewed", exact=True).count() <= 1
    check(desk, "05-ticket-timeline")


def test_the_admin_disables_a_colleague_and_the_audit_trail_shows_it(
    desk: Any, office: Office
) -> None:
    log_in(desk, office, "admin@school.example")
    desk.get_by_role("link", name="Staff").click()
    row = desk.get_by_role("row", name=SUPPLY)
    expect(row).to_contain_text("Active")
    check(desk, "06-staff")
    row.get_by_role("button", name=f"Disable {SUPPLY}").click()
    expect(desk.get_by_role("status")).to_contain_text("Account disabled")
    expect(desk.get_by_role("row", name=SUPPLY)).to_contain_text("Disabled")
    desk.get_by_role("link", name="Audit trail").click()
    desk.get_by_label("What").select_option("staff_disabled")
    desk.get_by_role("button", name="Filter").click()
    expect(desk.locator("tbody tr")).to_have_count(1)
    expect(desk.locator("tbody tr")).to_contain_text("admin@school.example")
    check(desk, "07-audit")


def test_on_a_phone_the_list_is_cards_without_sideways_scrolling(
    phone: Any, office: Office
) -> None:
    log_in(phone, office, "office@school.example")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    card = phone.locator("table.tickets tbody tr").first
    assert card.evaluate("e => getComputedStyle(e).display") == "block"
    # Each field carries its label (drawn by CSS, read out by screen readers too).
    expect(card.get_by_role("cell", name=re.compile(r"^Due \d"))).to_be_visible()
    expect(phone.locator("table.tickets thead")).to_have_css("position", "absolute")
    check(phone, "08-phone-cards")


def test_an_unanswered_question_is_added_and_then_answered(desk: Any, office: Office) -> None:
    def ask(question: str) -> dict[str, Any]:
        started = desk.request.post(f"{office.url}/api/conversations").json()
        reply = desk.request.post(
            f"{office.url}/api/chat/messages",
            data={"conversation_id": started["conversation_id"], "text": question},
        )
        body: dict[str, Any] = reply.json()["reply"]
        return body

    assert ask(NURSE)["match"]["outcome"] == "fallback"
    log_in(desk, office, "dpo@school.example")
    desk.get_by_role("link", name="Unanswered").click()
    card = desk.get_by_role("article", name=f"“{NURSE}”")
    expect(card).to_be_visible()
    check(desk, "09-unanswered")
    card.get_by_label("Topic that answers it").select_option("who_we_share_with")
    card.get_by_role("button", name="Add to this topic").click()
    expect(desk.get_by_role("status")).to_contain_text("Added as an example")
    answered = ask(NURSE)["match"]
    assert (answered["outcome"], answered["intent"]) == ("answer", "who_we_share_with")
    assert NURSE in (office.intents / "who_we_share_with.yaml").read_text()


@pytest.mark.parametrize(
    "path", ["/console/dashboard", "/console/log", "/console/purge", "/console/tickets?q=shah"]
)
def test_the_other_console_pages_have_no_accessibility_violations(
    desk: Any, office: Office, path: str
) -> None:
    log_in(desk, office, "admin@school.example")
    desk.goto(f"{office.url}{path}")
    check(desk, "10-" + path.strip("/").replace("/", "-").replace("?", "-"))
