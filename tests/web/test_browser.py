"""The chat and the widget in Debian's Chromium, against the real server, as a parent uses them."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.rules.lifecycle import RequestChannel
from bot.storage.engine import make_engine
from bot.storage.tables import Ticket
from tests.web.conftest import ChatPage, Site

pytestmark = pytest.mark.browser

QUESTION = "How long do you keep my child's information?"
# Phrasings that come out ambiguous today; the test uses whichever still does.
AMBIGUOUS = ["sharing", "keep", "my child", "rights", "information about", "data", "record"]
LAUNCHER = "Questions about pupil privacy?"


def ambiguous_question(base_url: str) -> str:
    """A question the bot currently answers with 'did you mean' buttons."""
    conversation_id = httpx.post(f"{base_url}/api/conversations").json()["conversation_id"]
    for question in AMBIGUOUS:
        reply = httpx.post(
            f"{base_url}/api/chat/messages",
            json={"conversation_id": conversation_id, "text": question},
        ).json()["reply"]
        if reply["choices"]:
            return question
    pytest.fail(f"none of {AMBIGUOUS} gets a 'did you mean' reply now: add one that does")


def assert_no_violations(target: Any) -> None:
    results = Axe().run(target)
    assert results.violations_count == 0, results.generate_report()


def focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def test_a_question_gets_its_answer(page: Any, site: Site) -> None:
    chat = ChatPage.open(page, site.bot.url)
    assert "West Borough School" in chat.last_reply()
    answer = chat.ask(QUESTION)
    assert "6 years" in answer
    expect(chat.user_messages.last).to_have_text(f"You said: {QUESTION}")
    expect(page.get_by_role("status")).to_have_text("")


def test_a_did_you_mean_button_sends_its_choice(page: Any, site: Site) -> None:
    chat = ChatPage.open(page, site.bot.url)
    chat.ask(ambiguous_question(site.bot.url))
    buttons = chat.choices()
    assert buttons.count() >= 1
    label = buttons.first.inner_text()
    answer = chat.choose(label)
    assert answer
    assert "Did you mean" not in answer
    expect(chat.user_messages.last).to_have_text(f"You said: {label}")
    # The buttons of an answered question stop working; the answer has none of its own.
    expect(chat.bot_messages.nth(-2).get_by_role("button").first).to_be_disabled()
    expect(chat.choices()).to_have_count(0)
    expect(chat.input).to_be_focused()


def test_the_whole_flow_works_with_the_keyboard_alone(page: Any, site: Site) -> None:
    question = ambiguous_question(site.bot.url)
    page.goto(f"{site.bot.url}/chat")
    chat = ChatPage(page)
    chat.wait_for_replies(1)
    for _ in range(12):
        page.keyboard.press("Tab")
        if focused_id(page) == "question":
            break
    expect(chat.input).to_be_focused()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"

    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    chat.wait_for_replies(2)
    assert "6 years" in chat.last_reply()

    page.keyboard.type(question)
    page.keyboard.press("Enter")
    chat.wait_for_replies(3)
    page.keyboard.press("Shift+Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "button--choice" in focused
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    chat.wait_for_replies(4)
    assert "Did you mean" not in chat.last_reply()
    expect(chat.input).to_be_focused()

    # Shift+Enter is a new line, not a send.
    page.keyboard.type("first line")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("second line")
    expect(chat.input).to_have_value("first line\nsecond line")
    chat.wait_for_replies(4)


def test_markup_typed_by_a_person_is_shown_as_text_and_never_runs(page: Any, site: Site) -> None:
    chat = ChatPage.open(page, site.bot.url)
    payload = '<img src=x onerror="window.pwned=1"> <script>window.pwned=2</script>'
    chat.ask(payload)
    expect(chat.user_messages.last).to_have_text(f"You said: {payload}")
    assert chat.log.locator("img, script").count() == 0
    assert page.evaluate("window.pwned") is None


def test_the_page_fits_320_pixels_with_big_enough_targets(browser: Any, site: Site) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        chat = ChatPage.open(page, site.bot.url)
        chat.ask(ambiguous_question(site.bot.url))
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        targets = page.locator("button, textarea, [role=log]")
        for index in range(targets.count()):
            box = targets.nth(index).bounding_box()
            assert box is not None
            assert box["width"] >= 24
            assert box["height"] >= 24
    finally:
        context.close()


def test_the_chat_page_has_no_accessibility_violations(page: Any, site: Site) -> None:
    chat = ChatPage.open(page, site.bot.url)
    chat.ask(ambiguous_question(site.bot.url))
    assert_no_violations(page)


@pytest.mark.parametrize(
    "viewport",
    [{"width": 390, "height": 780}, {"width": 1280, "height": 800}],
    ids=["phone, full screen", "desktop, beside the page"],
)
def test_the_widget_opens_from_another_site_and_escape_closes_it(
    page: Any, site: Site, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    page.goto(site.host_url)
    launcher = page.get_by_role("button", name=LAUNCHER)
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    chat = ChatPage(page.frame_locator("iframe[title='Chat about our privacy notice']"))
    chat.wait_for_replies(1)
    expect(chat.input).to_be_focused()
    assert "6 years" in chat.ask(QUESTION)

    # Escape inside the chat: the iframe tells the page, which closes and refocuses.
    chat.input.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")

    # Reopened with the keyboard, the conversation is still there and focus is back in it.
    page.keyboard.press("Enter")
    expect(chat.input).to_be_focused()
    chat.wait_for_replies(2)

    # Escape from the school's own page closes it too.
    page.get_by_role("link", name="Latest news").focus()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(launcher).to_be_focused()


def test_the_close_button_in_the_widget_closes_it(page: Any, site: Site) -> None:
    page.goto(site.host_url)
    launcher = page.get_by_role("button", name=LAUNCHER)
    launcher.click()
    frame = page.frame_locator("iframe[title='Chat about our privacy notice']")
    ChatPage(frame).wait_for_replies(1)
    frame.get_by_role("button", name="Close the chat").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(launcher).to_be_focused()


def test_the_opened_widget_has_no_accessibility_violations(page: Any, site: Site) -> None:
    page.goto(site.host_url)
    page.get_by_role("button", name=LAUNCHER).click()
    ChatPage(page.frame_locator("iframe[title='Chat about our privacy notice']")).wait_for_replies(
        1
    )
    assert_no_violations(page)
    inner = next(frame for frame in page.frames if "/chat?embed=1" in frame.url)
    assert_no_violations(inner)


def test_a_subject_access_intake_ends_with_the_reference_and_the_due_date(
    page: Any, site: Site
) -> None:
    chat = ChatPage.open(page, site.bot.url)
    chat.ask("I want a copy of all the information you hold on my son")
    assert "who is the information about" in chat.ask("Priya Shah").lower()
    chat.choose("My child (I'm a parent)")
    chat.ask("Arjun Shah")
    chat.ask("priya.shah@example.org")
    summary = chat.choose("That's everything")
    assert "Priya Shah" in summary
    logged = chat.choose("Yes, log it")

    match = re.search(r"logged as (SAR-\d{4}-\d{4})", logged)
    assert match is not None, logged
    assert "must respond by" in logged
    engine = make_engine(site.bot.settings.resolved_database_url())
    try:
        with Session(engine) as session:
            ticket = session.scalar(select(Ticket).where(Ticket.reference == match.group(1)))
    finally:
        engine.dispose()
    assert ticket is not None
    assert ticket.subject_name == "Arjun Shah"
    assert ticket.channel is RequestChannel.WEB_CHAT
    due = f"{ticket.due_date:%A} {ticket.due_date.day} {ticket.due_date:%B %Y}"
    assert due in logged
