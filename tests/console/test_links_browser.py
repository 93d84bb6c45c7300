"""The Slack and Teams links page in Debian's Chromium: an admin links, mistypes, and unlinks,
on a desk and on a phone, with no accessibility violations.

Screenshots go to $CONSOLE_SHOTS (if set), to be looked at by a person.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.console.conftest import live_console
from tests.console.test_office_browser import Office, check, log_in
from tests.web.conftest import watched_page, web_settings

pytestmark = pytest.mark.browser

SLACK_USER = "U04ABCDE12"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    root = tmp_path_factory.mktemp("links")
    with live_console(web_settings(root / "data")) as server:
        yield Office(server.url, root / "intents")


@pytest.fixture
def desk(browser: Any) -> Iterator[Any]:
    yield from watched_page(browser, width=1280, height=900)


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    yield from watched_page(browser, width=390, height=844)


def test_an_admin_links_and_unlinks_a_slack_user(desk: Any, office: Office) -> None:
    log_in(desk, office, "admin@school.example")
    desk.get_by_role("link", name="Staff").click()
    desk.get_by_role("link", name="Slack and Teams users who work tickets").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Slack and Teams users")
    expect(desk.get_by_role("table")).to_contain_text("No Slack or Teams user is linked yet.")
    check(desk, "20-links-empty")

    desk.get_by_label("Platform").select_option("slack")
    desk.get_by_label("User ID").fill("sam.office")
    desk.get_by_label("Staff account").select_option("office@school.example")
    desk.get_by_role("button", name="Link the user").click()
    expect(desk.get_by_role("alert")).to_contain_text("“sam.office” is not a Slack member ID")
    # Nothing typed is lost, and the field at fault says so to a screen reader too.
    expect(desk.get_by_label("User ID")).to_have_value("sam.office")
    expect(desk.get_by_label("User ID")).to_have_attribute("aria-invalid", "true")
    expect(desk.get_by_label("Platform")).to_have_value("slack")
    expect(desk.get_by_label("Staff account")).to_have_value("office@school.example")
    check(desk, "21-links-problem")

    desk.get_by_label("User ID").fill(SLACK_USER)
    desk.get_by_role("button", name="Link the user").click()
    expect(desk.get_by_role("status")).to_contain_text(
        f"Slack user {SLACK_USER} is linked to office@school.example"
    )
    row = desk.get_by_role("row", name=SLACK_USER)
    expect(row).to_contain_text("office@school.example (office)")
    expect(row).to_contain_text("admin@school.example")
    check(desk, "22-links-one")

    row.get_by_role("button", name=f"Remove the link for Slack user {SLACK_USER}").click()
    expect(desk.get_by_role("status")).to_contain_text("they cannot work tickets from now on")
    expect(desk.get_by_role("row", name=SLACK_USER)).to_have_count(0)


def test_on_a_phone_the_links_page_fits_and_reads_well(phone: Any, office: Office) -> None:
    log_in(phone, office, "admin@school.example")
    phone.goto(f"{office.url}/console/staff/links")
    phone.get_by_label("Platform").select_option("teams")
    phone.get_by_label("User ID").fill("5b1c2a3e-0000-4000-8000-00000000a1e5")
    phone.get_by_label("Staff account").select_option("dpo@school.example")
    phone.get_by_role("button", name="Link the user").click()
    expect(phone.get_by_role("status")).to_contain_text("Microsoft Teams user")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    card = phone.locator("table.links tbody tr").first
    assert card.evaluate("e => getComputedStyle(e).display") == "block"
    check(phone, "23-links-phone")
