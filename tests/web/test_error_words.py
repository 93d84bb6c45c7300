"""The chat API's error sentences are the school's: reworded in answers/web_errors.yaml, sent so."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.content.errors import ContentError
from tests.web.conftest import start, web_settings
from tests.words_files import copy_answers, drop_lines

MESSAGES = "/api/chat/messages"


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    return copy_answers(tmp_path)


def rewrite(answers: Path, key: str, sentence: str | None) -> None:
    """Give `key` another sentence in web_errors.yaml, or take it out (None)."""
    words = answers / "web_errors.yaml"
    drop_lines(words, f"{key}:")
    if sentence is not None:
        with words.open("a", encoding="utf-8") as file:
            file.write(f'{key}: "{sentence}"\n')


def test_a_reworded_error_is_what_the_chat_api_answers(answers: Path, tmp_path: Path) -> None:
    rewrite(answers, "message_too_long", "Keep it under {limit} characters, please (not {length}).")
    rewrite(answers, "nul_character", "Something odd was pasted in. Please type it instead.")
    rewrite(answers, "rate_limited", "Slow down a little, please.")
    settings = web_settings(
        tmp_path / "data", answers_dir=answers, max_message_chars=1000, rate_limit_per_client=4
    )
    with TestClient(create_app(settings)) as client:
        conversation_id, _ = start(client)
        long = client.post(MESSAGES, json={"conversation_id": conversation_id, "text": "a" * 1234})
        assert (long.status_code, long.json()) == (
            422,
            {
                "error": "message_too_long",
                "detail": "Keep it under 1,000 characters, please (not 1,234).",
            },
        )
        nul = client.post(MESSAGES, json={"conversation_id": conversation_id, "text": "a\x00b"})
        assert nul.json() == {
            "error": "invalid_request",
            "detail": "Something odd was pasted in. Please type it instead.",
        }
        # Starting conversations spends this browser's budget of four.
        started = [client.post("/api/conversations") for _ in range(4)]
        limited = started[-1]
        assert limited.status_code == 429
        assert limited.json()["detail"] == "Slow down a little, please."


def test_a_missing_error_sentence_stops_the_start_naming_file_and_key(
    answers: Path, tmp_path: Path
) -> None:
    rewrite(answers, "no_transcript", None)
    with pytest.raises(ContentError) as stopped:
        create_app(web_settings(tmp_path / "data", answers_dir=answers))
    assert str(stopped.value) == f"{answers / 'web_errors.yaml'}: no words for no_transcript"
