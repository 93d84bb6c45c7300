"""An admin lets a colleague who mistyped their password too often sign in again, in Chromium.

Its own server: the login budgets are per address, and every browser test comes from 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from bot.console.throttle import FAILURE_TIERS
from bot.storage.engine import transaction
from bot.storage.tables import AuditEvent
from bot.tickets.service import RequestService
from tests.console.conftest import PASSWORD, live_console
from tests.web.conftest import LiveServer, watched_page, web_settings

pytestmark = pytest.mark.browser

ADMIN = "admin@school.example"
FORGETFUL = "forgetful@school.example"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = web_settings(Path(tmp_path_factory.mktemp("unlock")) / "data")
    with live_console(settings, more_staff=[FORGETFUL]) as live:
        yield live


def try_to_log_in(page: Any, url: str, email: str, password: str) -> None:
    page.goto(f"{url}/console/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_an_admin_clears_a_colleagues_failed_sign_ins(browser: Any, server: LiveServer) -> None:
    for colleague in watched_page(browser, width=1280, height=900):
        for _ in range(FAILURE_TIERS[0][0]):
            try_to_log_in(colleague, server.url, FORGETFUL, "not the password at all")
        # Too many tries: now even the right password waits, with the same answer as a wrong one.
        try_to_log_in(colleague, server.url, FORGETFUL, PASSWORD)
        expect(colleague.get_by_role("alert")).to_contain_text("That did not work")

        for admin in watched_page(browser, width=1280, height=900):
            try_to_log_in(admin, server.url, ADMIN, PASSWORD)
            admin.get_by_role("link", name="Staff").click()
            row = admin.get_by_role("row", name=FORGETFUL)
            row.get_by_role("button", name=f"Clear failed sign-ins for {FORGETFUL}").click()
            expect(admin.get_by_role("status")).to_contain_text("Failed sign-ins cleared")
            results = Axe().run(admin)
            assert results.violations_count == 0, results.generate_report()

        try_to_log_in(colleague, server.url, FORGETFUL, PASSWORD)
        expect(colleague.get_by_role("heading", level=1, name="Tickets")).to_be_visible()

    service = RequestService.from_settings(server.settings)
    try:
        with transaction(service.sessions) as session:
            unlocked = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "staff_unlocked")
            ).all()
            assert [(e.actor, e.new_value) for e in unlocked] == [(ADMIN, FORGETFUL)]
    finally:
        service.dispose()
