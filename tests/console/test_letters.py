"""Letters from the ticket page: previewed in full, sent once, kept; refusals for the dpo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from bot.config import Settings
from bot.console.accounts import Role, StaffAccounts
from bot.tickets.service import RequestService, TicketView
from tests.console.conftest import FAST_HASHER, PASSWORD, csrf_of, sar_request, sign_in
from tests.smtp import Inbox
from tests.web.conftest import LiveServer, free_socket, watched_page, web_settings


@pytest.fixture
def console_settings(tmp_path: Path, database_url: str, smtp: tuple[Inbox, int]) -> Settings:
    return web_settings(
        tmp_path / "data",
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=smtp[1],
        smtp_security="none",
        smtp_from="office@school.example",
        letters_interval_seconds=3600,
    )


def staff_letters(inbox: Inbox) -> list[str]:
    """What staff sent, leaving out the acknowledgement the app sends by itself."""
    return [
        body
        for message, body in zip(inbox.messages, inbox.bodies(), strict=True)
        if not str(message["Subject"]).startswith("We have your request")
    ]


def preview(client: TestClient, reference: str, letter: str, message: str) -> Any:
    page = client.get(f"/console/tickets/{reference}/letters")
    assert page.status_code == 200, page.text
    return client.post(
        f"/console/tickets/{reference}/letters/{letter}/preview",
        data={"csrf_token": csrf_of(page.text), "message": message},
    )


def send(client: TestClient, reference: str, letter: str, message: str, preview: Any) -> Any:
    return client.post(
        f"/console/tickets/{reference}/letters/{letter}/send",
        data={"csrf_token": csrf_of(preview.text), "message": message},
    )


def preview_then_send(
    client: TestClient, reference: str, letter: str, message: str
) -> tuple[Any, Any]:
    shown = preview(client, reference, letter, message)
    return shown, send(client, reference, letter, message, shown)


def test_the_office_previews_and_sends_an_id_request(
    app_client: TestClient,
    staff: dict[Role, str],
    log_ticket: Callable[..., TicketView],
    smtp: tuple[Inbox, int],
) -> None:
    inbox, _ = smtp
    ticket = log_ticket()
    sign_in(app_client, staff[Role.OFFICE])

    shown = preview(app_client, ticket.reference, "id_request", "A photo of your passport")

    assert shown.status_code == 200
    assert "A photo of your passport" in shown.text
    assert "the month starts again on the day the ID arrives" in shown.text
    assert staff_letters(inbox) == []  # nothing goes before the person presses send
    sent = send(app_client, ticket.reference, "id_request", "A photo of your passport", shown)
    assert sent.status_code == 303
    assert len(staff_letters(inbox)) == 1
    ticket_page = app_client.get(f"/console/tickets/{ticket.reference}")
    assert "Awaiting ID" in ticket_page.text or "awaiting id" in ticket_page.text.lower()
    letters_page = app_client.get(sent.headers["location"])
    assert f"Please confirm who you are: request {ticket.reference}" in letters_page.text


def test_only_the_dpo_can_send_a_refusal(
    app_client: TestClient,
    staff: dict[Role, str],
    log_ticket: Callable[..., TicketView],
    smtp: tuple[Inbox, int],
) -> None:
    inbox, _ = smtp
    ticket = log_ticket()
    sign_in(app_client, staff[Role.OFFICE])
    _, refused_by_office = preview_then_send(app_client, ticket.reference, "refusal", "Repeated")
    assert refused_by_office.status_code == 403
    assert staff_letters(inbox) == []

    sign_in(app_client, staff[Role.DPO])
    _, refused_by_dpo = preview_then_send(app_client, ticket.reference, "refusal", "Repeated")
    assert refused_by_dpo.status_code == 303
    assert "court" in staff_letters(inbox)[0]


def test_a_letter_the_rules_forbid_shows_the_reason_and_sends_nothing(
    app_client: TestClient,
    staff: dict[Role, str],
    log_ticket: Callable[..., TicketView],
    smtp: tuple[Inbox, int],
) -> None:
    inbox, _ = smtp
    ticket = log_ticket(days_ago=45)
    sign_in(app_client, staff[Role.DPO])
    _, sent = preview_then_send(app_client, ticket.reference, "extension_notice", "Big")
    assert sent.status_code == 400
    assert "within the first month" in sent.text
    assert staff_letters(inbox) == []


@pytest.mark.browser
def test_the_letter_preview_in_the_browser_has_no_accessibility_problems(
    browser: Any, tmp_path: Path, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    settings = web_settings(
        tmp_path / "data",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        letters_interval_seconds=3600,
    )
    service = RequestService.from_settings(settings)
    StaffAccounts(service.sessions, hasher=FAST_HASHER).add(
        "office@school.example", PASSWORD, Role.OFFICE, actor="test"
    )
    ticket = service.log(sar_request(2), actor="office@school.example")
    service.dispose()
    server = LiveServer.start(settings, free_socket())
    try:
        for page in watched_page(browser, width=1280, height=900):
            page.goto(f"{server.url}/console/tickets/{ticket.reference}")
            page.get_by_label("Email address").fill("office@school.example")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.get_by_role("link", name="Letters to the requester").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("Letters to")
            assert Axe().run(page).violations_count == 0
            page.get_by_label("What you need the requester to tell you").fill("Which school years?")
            page.get_by_role("button", name="Preview the letter").nth(1).click()
            expect(page.locator(".letter-text")).to_contain_text("Which school years?")
            results = Axe().run(page)
            assert results.violations_count == 0, results.generate_report()
            page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)
            page.get_by_role("button", name="Send it").click()
            expect(page.get_by_role("status")).to_contain_text("Done: Ask for clarification")
    finally:
        server.stop()
    assert len(staff_letters(inbox)) == 1
