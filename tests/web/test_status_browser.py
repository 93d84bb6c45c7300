"""The requester's status page in Chromium: from reference and email to their request, with axe."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from bot.rules.lifecycle import RequestChannel
from bot.tickets.school import school_from_settings
from bot.tickets.service import NewRequest, RequestService
from bot.web.requester import deliveries_of, files_of
from tests.conftest import Clock
from tests.smtp import Inbox, smtp_server
from tests.web.conftest import LiveServer, free_socket, web_settings

pytestmark = pytest.mark.browser


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[LiveServer, Inbox, str]]:
    with smtp_server() as (inbox, port):
        settings = web_settings(
            tmp_path / "data",
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_security="none",
            smtp_from="office@school.example",
        )
        server = LiveServer.start(settings, free_socket())
        service = RequestService.from_settings(settings)
        try:
            ticket = service.log(
                NewRequest(
                    kind="educational_record",  # type: ignore[arg-type]
                    channel=RequestChannel.LETTER,
                    received_at=Clock().now,
                    requester_name="Sam Jones",
                    requester_contact="sam.jones@example.org",
                    requester_relationship="parent",  # type: ignore[arg-type]
                    subject_name="Alex Jones",
                    subject_is_child=True,
                    request_text="I would like to see Alex's educational record",
                ),
                actor="office@school.example",
            )
            yield server, inbox, ticket.reference
        finally:
            service.dispose()
            server.stop()


def assert_no_violations(page: Any) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_a_parent_opens_their_request_with_the_emailed_code(
    page: Any, live: tuple[LiveServer, Inbox, str], tmp_path: Path
) -> None:
    server, inbox, reference = live
    page.goto(f"{server.url}/requests/status")
    assert_no_violations(page)
    page.get_by_label("Reference").fill(reference)
    page.get_by_label("Your email address").fill("sam.jones@example.org")
    page.get_by_role("button", name="Email me a code").click()
    page.get_by_label("Code from the email").wait_for()
    assert_no_violations(page)

    deadline = time.monotonic() + 10
    codes: list[str] = []
    while not codes and time.monotonic() < deadline:
        codes = [
            m.group(1) for msg in inbox.messages if (m := re.search(r": (\d{6})$", msg["Subject"]))
        ]
        time.sleep(0.05)
    assert codes, "no code arrived"
    page.get_by_label("Code from the email").fill(codes[0])
    page.get_by_role("button", name="Show my request").click()

    page.get_by_role("heading", name=f"Your request: {reference}").wait_for()
    text = page.locator("main").inner_text()
    assert "Request to see or copy an educational record" in text
    assert "We have your request and will start on it soon." in text
    assert_no_violations(page)
    page.screenshot(path=str(tmp_path / "status.png"), full_page=True)
    # Finishing forgets the request on this device.
    page.get_by_role("button", name="Finish").click()
    page.goto(f"{server.url}/requests/status/view")
    assert page.get_by_label("Reference").is_visible()


def test_the_response_link_asks_for_a_code_then_lists_the_files(
    page: Any, live: tuple[LiveServer, Inbox, str]
) -> None:
    server, inbox, reference = live
    settings = server.settings
    service = RequestService.from_settings(settings)
    try:
        files_of(settings, service).add(
            reference, "Alex record.pdf", b"%PDF-1.4\n%%EOF\n", source="staff", actor="dpo"
        )
        deliveries = deliveries_of(settings, school_from_settings(settings), service)
        deliveries.confirm_checks(reference, set(deliveries.checklist), actor="dpo")
        token = deliveries.create_link(reference, actor="dpo")
    finally:
        service.dispose()

    page.goto(f"{server.url}/requests/download/{token}")
    assert_no_violations(page)
    page.get_by_role("button", name="Email me a code").click()
    page.get_by_label("Code from the email").wait_for()
    deadline = time.monotonic() + 10
    codes: list[str] = []
    while not codes and time.monotonic() < deadline:
        codes = [
            m.group(1) for msg in inbox.messages if (m := re.search(r": (\d{6})$", msg["Subject"]))
        ]
        time.sleep(0.05)
    assert codes, "no code arrived"
    page.get_by_label("Code from the email").fill(codes[0])
    page.get_by_role("button", name="Show my request").click()
    page.get_by_role("link", name="Alex record.pdf").wait_for()
    assert_no_violations(page)
