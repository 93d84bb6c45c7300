"""The reply markdown as Slack mrkdwn, and what staff type in Slack back into the markdown."""

from __future__ import annotations

import pytest

from bot.slack.markup import from_mrkdwn, plain_text, to_mrkdwn


@pytest.mark.parametrize(
    ("markdown", "mrkdwn"),
    [
        ("We keep it for **6 years**.", "We keep it for *6 years*."),
        (
            "See [our notice](https://school.example/notice).",
            "See <https://school.example/notice|our notice>.",
        ),
        ("[Email us](mailto:office@school.example)", "<mailto:office@school.example|Email us>"),
        ("- one\n- two", "• one\n• two"),
        ("1. first\n2. second", "1. first\n2. second"),
        ("First.\n\nSecond.", "First.\n\nSecond."),
        ("Tom & Jerry <b>", "Tom &amp; Jerry &lt;b&gt;"),
        ("<!channel> and <@U123>", "&lt;!channel&gt; and &lt;@U123&gt;"),
        ("[x](https://a.example/?q=1&r=2|3)", "<https://a.example/?q=1&amp;r=2%7C3|x>"),
        ("[click](javascript:alert(1))", "[click](javascript:alert(1))"),
    ],
)
def test_markdown_becomes_mrkdwn(markdown: str, mrkdwn: str) -> None:
    assert to_mrkdwn(markdown) == mrkdwn


def test_a_list_after_a_paragraph_keeps_its_own_lines() -> None:
    assert to_mrkdwn("You can ask for:\n\n- a copy\n- a correction\n\nThanks.") == (
        "You can ask for:\n\n• a copy\n• a correction\n\nThanks."
    )


@pytest.mark.parametrize(
    ("typed", "markdown"),
    [
        ("Hello, I'm *Mrs Jones*", "Hello, I'm **Mrs Jones**"),
        (
            "See <https://school.example/form|the form>",
            "See [the form](https://school.example/form)",
        ),
        (
            "Mail <mailto:office@school.example|office@school.example>",
            "Mail [office@school.example](mailto:office@school.example)",
        ),
        ("Fish &amp; chips &lt;3", "Fish & chips <3"),
        ("<@U123> can you check?", "can you check?"),
        ("• first\n• second", "- first\n- second"),
    ],
)
def test_what_staff_type_becomes_the_markdown_subset(typed: str, markdown: str) -> None:
    assert from_mrkdwn(typed) == markdown


def test_a_question_loses_mentions_and_markup() -> None:
    assert plain_text("<@UBOT>  how long do you keep &lt;records&gt;?") == (
        "how long do you keep <records>?"
    )
    assert plain_text("see <https://a.example|this page>") == "see this page"
