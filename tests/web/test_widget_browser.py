"""The widget on the school's site in Chromium: a site the bot does not allow gets the office's
email instead of a broken frame, Escape always closes, and full screen keeps focus in the chat."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import ChatPage, Site
from tests.web.test_browser import LAUNCHER, assert_no_violations

pytestmark = pytest.mark.browser

OFFICE = "office@west-borough.kent.sch.uk"
FRAME = "iframe[title='Chat about our privacy notice']"
# Where focus is: "iframe" inside the widget's chat, "widget" elsewhere in it, else the page's.
WHERE_FOCUS_IS = """() => {
  const active = document.activeElement;
  if (!active || !active.matches("aside[data-privacybot]")) return "page";
  const inner = active.shadowRoot.activeElement;
  return inner && inner.tagName === "IFRAME" ? "iframe" : "widget";
}"""


def test_a_site_not_allowed_gets_the_offices_email_and_escape_closes_it(
    browser: Any, site: Site
) -> None:
    # The same host page under another name is another origin, and not configured.
    other_origin = site.host_url.replace("127.0.0.1", "localhost")
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(other_origin)
        launcher = page.get_by_role("button", name=LAUNCHER)
        launcher.click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("can't open on this page")
        expect(dialog.get_by_role("link", name=OFFICE)).to_have_attribute(
            "href", f"mailto:{OFFICE}"
        )
        expect(page.locator(FRAME)).to_have_count(0)
        assert_no_violations(page)

        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(launcher).to_be_focused()
        launcher.click()
        dialog.get_by_role("button", name="Close the chat").click()
        expect(dialog).to_be_hidden()
        expect(launcher).to_be_focused()
    finally:
        context.close()


def test_full_screen_on_a_phone_keeps_focus_in_the_chat_until_it_is_closed(
    browser: Any, site: Site
) -> None:
    context = browser.new_context(viewport={"width": 400, "height": 700})
    try:
        page = context.new_page()
        page.goto(site.host_url)
        launcher = page.get_by_role("button", name=LAUNCHER)
        launcher.click()
        chat = ChatPage(page.frame_locator(FRAME))
        chat.wait_for_replies(1)
        expect(chat.input).to_be_focused()
        for key in ["Tab"] * 12 + ["Shift+Tab"] * 12:
            page.keyboard.press(key)
            assert page.evaluate(WHERE_FOCUS_IS) == "iframe", f"focus left the chat on {key}"
        # A click on the page behind (or a screen reader's jump) is brought back too.
        page.evaluate("document.querySelector('a[href=\"#news\"]').focus()")
        assert page.evaluate(WHERE_FOCUS_IS) == "iframe"
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog")).to_be_hidden()
        expect(launcher).to_be_focused()
        page.keyboard.press("Tab")
        assert page.evaluate(WHERE_FOCUS_IS) == "page"
    finally:
        context.close()


def test_beside_the_page_on_a_desktop_focus_may_leave_the_chat(browser: Any, site: Site) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(site.host_url)
        page.get_by_role("button", name=LAUNCHER).click()
        ChatPage(page.frame_locator(FRAME)).wait_for_replies(1)
        places = set()
        for _ in range(15):
            page.keyboard.press("Tab")
            places.add(page.evaluate(WHERE_FOCUS_IS))
        assert "page" in places or "widget" in places
    finally:
        context.close()
