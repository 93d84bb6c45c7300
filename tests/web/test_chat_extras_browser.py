"""The chat in Chromium around its answers: who is answering and what is kept, "Was this
helpful?", a logged request's receipt, and no accessibility violations at three sizes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.engine import make_engine
from bot.storage.tables import AnswerFeedback
from tests.web.conftest import ChatPage, watched_page
from tests.web.live import OwnServer, own_server
from tests.web.smtp_inbox import Inbox, smtp_inbox
from tests.web.test_browser import QUESTION, ambiguous_question, assert_no_violations

pytestmark = pytest.mark.browser

OFFICE = "office@west-borough.kent.sch.uk"
EMAIL = "priya.shah@example.org"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_inbox() as inbox:
        yield inbox


@pytest.fixture
def server(tmp_path: Path, inbox: Inbox) -> Iterator[OwnServer]:
    with own_server(
        tmp_path / "data", smtp_host="127.0.0.1", smtp_port=inbox.port, smtp_security="none"
    ) as server:
        yield server


def feedback_rows(server: OwnServer) -> list[tuple[str | None, bool, str | None]]:
    engine = make_engine(server.settings.resolved_database_url())
    try:
        with Session(engine) as session:
            rows = session.scalars(select(AnswerFeedback).order_by(AnswerFeedback.id))
            return [(row.intent, row.helpful, row.comment) for row in rows]
    finally:
        engine.dispose()


def log_a_subject_access_request(chat: ChatPage) -> str:
    """Through the chat's intake, as a parent would; returns the logged reply."""
    chat.ask("I want a copy of all the information you hold on my son")
    chat.ask("Priya Shah")
    chat.choose("My child (I'm a parent)")
    chat.ask("Arjun Shah")
    chat.ask(EMAIL)
    chat.choose("That's everything")
    return chat.choose("Yes, log it")


def test_the_page_and_the_first_message_say_a_machine_answers_and_what_is_kept(
    page: Any, server: OwnServer
) -> None:
    chat = ChatPage.open(page, server.url)
    about = page.locator("#chat-about")
    expect(about).to_contain_text("An automated helper, not a person")
    expect(about).to_contain_text("kept for 30 days, then deleted")
    # The shipped facts have no published notice: the office's email stands in for the link.
    expect(about.get_by_role("link", name=OFFICE)).to_have_attribute("href", f"mailto:{OFFICE}")
    first = chat.bot_messages.first
    expect(first).to_contain_text("I'm an automated helper, not a person")
    expect(first).to_contain_text("here is kept for 30 days")
    expect(first.get_by_role("link", name=OFFICE)).to_have_attribute("href", f"mailto:{OFFICE}")


def test_every_answer_asks_whether_it_helped_and_keeps_only_the_vote(
    page: Any, server: OwnServer
) -> None:
    chat = ChatPage.open(page, server.url)
    chat.ask(QUESTION)
    answer = chat.bot_messages.last
    helped = answer.get_by_role("group", name="Was this helpful?")
    expect(helped.get_by_role("button")).to_have_text(["Yes", "No"])
    helped.get_by_role("button", name="No").click()
    expect(answer).to_contain_text("Thank you for your feedback.")
    expect(helped).to_have_count(0)
    assert feedback_rows(server) == [("retention", False, None)]

    comment = answer.get_by_role("textbox", name=re.compile("Anything to add"))
    comment.fill("I wanted to know about photos too")
    answer.get_by_role("button", name="Send").click()
    expect(comment).to_have_count(0)
    expect(answer).to_contain_text("Thank you for your feedback.")
    assert feedback_rows(server) == [("retention", False, "I wanted to know about photos too")]

    # A "did you mean" question is not an answer: nothing to rate yet.
    chat.ask(ambiguous_question(server.url))
    expect(chat.bot_messages.last.get_by_role("group", name="Was this helpful?")).to_have_count(0)


def test_a_logged_request_has_a_receipt_to_print_and_says_a_copy_is_on_its_way(
    page: Any, server: OwnServer, inbox: Inbox
) -> None:
    chat = ChatPage.open(page, server.url)
    logged = log_a_subject_access_request(chat)
    reference = re.search(r"[A-Z]+-\d{4}-\d{4}", logged)
    assert reference is not None, logged
    reply = chat.bot_messages.last
    # With email set up, the acknowledgement (queued as the request is logged) is the copy:
    # the chat says so rather than offering to send the same again.
    expect(reply).to_contain_text(f"A copy is on its way to {EMAIL}.")
    expect(reply.get_by_role("button", name="Email me a copy")).to_have_count(0)

    # After a reload the receipt is still there, and the copy is not offered twice.
    shown = chat.bot_messages.count()
    page.reload()
    chat.wait_for_replies(shown)
    reply = chat.log.locator(".message--bot", has_text=reference.group(0)).last
    expect(reply.get_by_role("link", name="Print or save a receipt")).to_be_visible()
    expect(reply).to_contain_text(f"A copy is on its way to {EMAIL}.")
    expect(reply.get_by_role("button", name="Email me a copy")).to_have_count(0)
    assert inbox.receipts() == []

    with page.context.expect_page() as opened:
        reply.get_by_role("link", name="Print or save a receipt").click()
    receipt = opened.value
    receipt.wait_for_load_state()
    expect(receipt.get_by_role("heading", level=1)).to_contain_text(reference.group(0))
    expect(receipt.locator("main")).to_contain_text("We must respond by")
    expect(receipt.locator("main")).to_contain_text("a copy of all the information")
    expect(receipt.get_by_role("button", name="Print this receipt")).to_be_visible()
    assert_no_violations(receipt)


@pytest.mark.parametrize(
    ("width", "height", "typing"),
    [(1280, 800, False), (360, 740, False), (360, 420, True)],
    ids=["desktop", "phone", "phone with the keyboard up"],
)
def test_no_accessibility_violations_at_three_sizes(
    browser: Any, server: OwnServer, width: int, height: int, typing: bool
) -> None:
    for page in watched_page(browser, width=width, height=height):
        chat = ChatPage.open(page, server.url)
        chat.ask(QUESTION)
        chat.bot_messages.last.get_by_role("button", name="Yes").click()
        expect(chat.bot_messages.last.get_by_role("textbox")).to_be_visible()
        question = ambiguous_question(server.url)
        chat.ask(question)
        chat.choose(chat.choices().first.inner_text())
        chat.ask(question)
        # A message that did not go (the server down for a moment), marked and retryable.
        server.stop()
        chat.input.fill("who do you share it with")
        chat.input.press("Enter")
        expect(chat.log.locator(".message--failed")).to_have_count(1)
        server.restart()
        chat.input.fill("a" * 1_900)
        expect(page.locator("#ask-count")).to_be_visible()
        if typing:
            chat.input.focus()
            expect(page.locator(".chat-footer")).to_be_hidden()
        assert_no_violations(page)
