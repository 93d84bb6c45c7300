"""The chat in Chromium when things go wrong or the page goes away: refused and failed sends,
the server down, a reload, a paste over the limit, a phone with its keyboard up."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import ChatPage, watched_page
from tests.web.live import OwnServer, own_server
from tests.web.test_browser import QUESTION, ambiguous_question

pytestmark = pytest.mark.browser

OFFICE = "office@west-borough.kent.sch.uk"
STORE_KEY = "privacybot.conversation"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[OwnServer]:
    with own_server(tmp_path / "data") as server:
        yield server


def test_a_refused_choice_gives_the_buttons_back_and_leaves_no_unanswered_label(
    page: Any, tmp_path: Path
) -> None:
    # One message per conversation a second: the click straight after a question is refused.
    with own_server(
        tmp_path / "data", rate_limit_per_conversation=1, rate_limit_window_seconds=2
    ) as server:
        chat = ChatPage.open(page, server.url)
        chat.ask(ambiguous_question(server.url))
        label = chat.choices().first.inner_text()
        chat.choices().first.click()
        expect(page.locator("#status")).to_contain_text("Too many messages")
        expect(chat.choices().first).to_be_enabled()
        expect(chat.user_messages).to_have_count(1)  # only the question, not the label
        time.sleep(2.1)
        answer = chat.choose(label)
        assert "Did you mean" not in answer
        expect(chat.user_messages.last).to_have_text(f"You said: {label}")


def test_with_the_server_down_a_message_is_marked_not_sent_and_can_be_tried_again(
    page: Any, server: OwnServer
) -> None:
    chat = ChatPage.open(page, server.url)
    chat.ask(ambiguous_question(server.url))
    server.stop()
    chat.input.fill(QUESTION)
    chat.input.press("Enter")

    failed = chat.log.locator(".message--failed")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text(QUESTION)
    expect(failed).to_contain_text("Not sent.")
    status = page.locator("#status")
    expect(status).to_contain_text("could not be reached")
    expect(status.get_by_role("link", name=OFFICE)).to_have_attribute("href", f"mailto:{OFFICE}")
    assert "connection" not in status.inner_text().lower()
    # The buttons of the question before are live again.
    expect(chat.choices().first).to_be_enabled()

    server.restart()
    before = chat.bot_messages.count()
    failed.get_by_role("button", name="Try again").click()
    chat.wait_for_replies(before + 1)
    assert "6 years" in chat.last_reply()
    expect(failed).to_have_count(0)
    expect(chat.user_messages.last).to_have_text(f"You said: {QUESTION}")
    expect(status).to_have_text("")


def test_a_reload_carries_on_the_conversation_and_start_again_clears_it(
    page: Any, server: OwnServer
) -> None:
    chat = ChatPage.open(page, server.url)
    chat.ask(QUESTION)
    question = ambiguous_question(server.url)
    chat.ask(question)
    said = chat.user_messages.all_inner_texts()
    last = chat.last_reply()

    page.reload()
    chat.wait_for_replies(3)
    assert chat.user_messages.all_inner_texts() == said
    assert chat.last_reply() == last
    expect(page.locator("#status")).to_have_text("Your conversation from earlier is below.")
    # The question's buttons still answer it; the greeting's past ones do not.
    label = chat.choices().first.inner_text()
    assert "Did you mean" not in chat.choose(label)
    page.reload()
    chat.wait_for_replies(4)
    expect(chat.user_messages.last).to_have_text(f"You said: {label}")

    page.get_by_role("button", name="Start again").click()
    chat.wait_for_replies(1)
    expect(chat.user_messages).to_have_count(0)
    page.reload()
    chat.wait_for_replies(1)
    expect(chat.user_messages).to_have_count(0)


def test_a_half_finished_request_survives_a_reload(page: Any, server: OwnServer) -> None:
    chat = ChatPage.open(page, server.url)
    prompt = chat.ask("I want a copy of all the information you hold on my son")
    page.reload()
    chat.wait_for_replies(2)
    assert chat.last_reply() == prompt
    answered = chat.ask("Priya Shah")
    assert answered != prompt
    assert "Sorry, I can't answer that" not in answered


def test_a_conversation_older_than_the_transcripts_is_not_resumed(
    page: Any, server: OwnServer
) -> None:
    chat = ChatPage.open(page, server.url)
    chat.ask(QUESTION)
    page.evaluate(
        """key => {
          const kept = JSON.parse(localStorage.getItem(key));
          kept.at -= 31 * 24 * 60 * 60 * 1000;
          localStorage.setItem(key, JSON.stringify(kept));
        }""",
        STORE_KEY,
    )
    page.reload()
    chat.wait_for_replies(1)
    expect(chat.user_messages).to_have_count(0)


def test_a_long_paste_is_never_cut_and_the_limit_shows_as_it_nears(
    page: Any, server: OwnServer
) -> None:
    chat = ChatPage.open(page, server.url)
    counter = page.locator("#ask-count")
    chat.input.fill("a" * 1_000)
    expect(counter).to_be_hidden()
    chat.input.fill("a" * 1_900)
    expect(counter).to_have_text("1,900 of 2,000 characters")

    chat.input.fill("word " * 420)  # 2,100 characters, as a paste
    expect(chat.input).to_have_value("word " * 420)
    expect(counter).to_contain_text("2,100 of 2,000 characters")
    expect(chat.input).to_have_attribute("aria-invalid", "true")
    chat.input.press("Enter")
    expect(page.locator("#status")).to_contain_text("please shorten it to 2,000")
    expect(chat.user_messages).to_have_count(0)
    assert len(chat.input.input_value()) == 2_100

    chat.input.press("End")
    for _ in range(110):
        chat.input.press("Backspace")
    expect(chat.input).not_to_have_attribute("aria-invalid", "true")
    chat.input.press("Enter")
    chat.wait_for_replies(2)
    expect(chat.user_messages).to_have_count(1)


def test_with_the_keyboard_up_the_conversation_keeps_the_room(
    browser: Any, server: OwnServer
) -> None:
    for page in watched_page(browser, width=360, height=420):
        chat = ChatPage.open(page, server.url)
        chat.ask(QUESTION)
        chat.input.focus()
        expect(page.locator(".chat-footer")).to_be_hidden()
        expect(page.locator("#ask-hint")).to_be_hidden()
        height = page.locator("#transcript").bounding_box()["height"]
        assert height >= 250, f"the conversation gets only {height:.0f} px of 420"
        # Typing done, the footer (with the office's contact) comes back.
        chat.log.focus()
        expect(page.locator(".chat-footer")).to_be_visible()


def test_on_an_upright_phone_an_answer_gets_most_of_the_screen(
    browser: Any, server: OwnServer
) -> None:
    # 390 x 780 is a common phone held upright: the small print once left the answer 324 px.
    for page in watched_page(browser, width=390, height=780):
        chat = ChatPage.open(page, server.url)
        chat.ask(QUESTION)
        height = page.locator("#transcript").bounding_box()["height"]
        assert height >= 400, f"the conversation gets only {height:.0f} px of 780"
        # The keyboard hint is kept for screen readers, not shown.
        expect(page.locator("#ask-hint")).to_have_count(1)
        assert page.locator("#ask-hint").bounding_box()["height"] <= 1


def test_past_buttons_look_clearly_different_from_live_ones(page: Any, server: OwnServer) -> None:
    chat = ChatPage.open(page, server.url)
    chat.ask(ambiguous_question(server.url))
    chat.ask(ambiguous_question(server.url))
    live = chat.choices().first
    past = chat.bot_messages.nth(-2).locator(".button--choice")
    expect(past.first).to_be_disabled()

    def look(button: Any) -> dict[str, str]:
        return dict(
            button.evaluate(
                """b => { const s = getComputedStyle(b);
                   return {border: s.borderTopStyle, colour: s.color, weight: s.fontWeight}; }"""
            )
        )

    assert look(live)["border"] == "solid"
    assert look(past.first)["border"] == "dashed"
    assert look(live)["colour"] != look(past.first)["colour"]
    assert look(live)["weight"] != look(past.first)["weight"]
