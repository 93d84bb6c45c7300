"""The reply markdown subset as Teams markdown: the same structure, typed text kept as text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.teams.markup import to_teams


def test_the_subset_renders_as_teams_markdown() -> None:
    text = "Hello **there**, _you_.\n\n- one\n- two with [a link](https://example.org/notice)"
    assert to_teams(text) == (
        "Hello **there**, _you_.\n\n- one\n- two with [a link](https://example.org/notice)"
    )


def test_numbered_lists_keep_their_numbers_and_paragraphs_stay_apart() -> None:
    assert to_teams("Steps:\n\n3. ask\n4. log it\n\nThen wait.") == (
        "Steps:\n\n3. ask\n4. log it\n\nThen wait."
    )


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("<at>Head Teacher</at>", "&lt;at&gt;Head Teacher&lt;/at&gt;"),
        ("# Not a heading", "\\# Not a heading"),
        ("[click](javascript:alert(1))", "\\[click\\](javascript:alert(1))"),
        ("snake_case_name", "snake\\_case\\_name"),
        ("a `code` b", "a \\`code\\` b"),
    ],
)
def test_what_a_person_typed_is_shown_as_typed(typed: str, shown: str) -> None:
    assert to_teams(typed) == shown


def test_a_link_target_cannot_break_out_of_its_brackets() -> None:
    assert to_teams("[notice](https://example.org/a_(b))") == (
        "[notice](https://example.org/a_%28b%29)"
    )


PIECES = [
    "<", ">", "[x]", "(javascript:alert(1))", "(https://a.example)", "(mailto:a@b)", "**",
    "_", "- ", "1. ", "\n", "\n\n", "<at>", "</at>", "&", "!", "`", "# ", "> ", "\\",
    "word", " ",
]  # fmt: skip
LINK = re.compile(r"(?<!\\)\]\(([^)]*)\)")


@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_no_text_makes_teams_markup_or_an_unsafe_link(text: str) -> None:
    teams = to_teams(text)
    assert "<" not in teams
    assert ">" not in teams
    for target in LINK.findall(teams):
        assert target.startswith(("http://", "https://", "mailto:")), teams
