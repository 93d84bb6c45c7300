"""The words loader: a count of one reads in the singular when the school's file has it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.errors import ContentError
from bot.content.wordbook import Wordbook


def test_a_count_of_one_takes_the_singular_and_any_other_the_plural(tmp_path: Path) -> None:
    words = tmp_path / "words.yaml"
    words.write_text('left: "{days} days left"\nleft_one: 1 day left\n', encoding="utf-8")
    book = Wordbook.load(words, ["left"])
    assert [book.say_counted("left", n, days=n) for n in (0, 1, 2)] == [
        "0 days left",
        "1 day left",
        "2 days left",
    ]


def test_without_a_singular_the_plural_serves_every_count(tmp_path: Path) -> None:
    words = tmp_path / "words.yaml"
    words.write_text('left: "{days} to go"\n', encoding="utf-8")
    assert Wordbook.load(words, ["left"]).say_counted("left", 1, days=1) == "1 to go"


def test_a_missing_key_names_the_file_and_the_key(tmp_path: Path) -> None:
    words = tmp_path / "words.yaml"
    words.write_text("left: soon\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"words\.yaml: no words for overdue"):
        Wordbook.load(words, ["left", "overdue"])
