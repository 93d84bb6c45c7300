"""Conversation transcripts (tests/transcripts/*.yaml) run through the real handler."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.conversation.handler import Conversation
from bot.types import Audience, Channel, Message

TRANSCRIPTS = sorted((Path(__file__).parent.parent / "transcripts").glob("*.yaml"))


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_transcript(path: Path, conversation: Conversation) -> None:
    transcript = load(path)
    audience = Audience(transcript.get("audience", "public"))
    for number, turn in enumerate(transcript["turns"], start=1):
        message = Message(
            channel=Channel.TERMINAL,
            conversation_id=f"transcript-{path.stem}",
            text=turn["say"],
            received_at=datetime.now(UTC),
            audience=audience,
        )
        reply = conversation.handle(message)
        where = f"{path.name} turn {number} ({turn['say']!r})"
        if "intent" in turn:
            assert reply.match is not None, where
            assert (reply.match.intent, reply.match.outcome) == (turn["intent"], "answer"), where
        if "outcome" in turn:
            assert reply.match is not None, where
            assert reply.match.outcome == turn["outcome"], where
        if "choices" in turn:
            assert [c.value for c in reply.choices] == turn["choices"], where
        for needle in turn.get("contains", []):
            assert needle.lower() in reply.text.lower(), f"{where}: {needle!r} missing"
        for needle in turn.get("excludes", []):
            assert needle.lower() not in reply.text.lower(), f"{where}: {needle!r} present"


def transcript_intents() -> set[str]:
    return {turn["intent"] for p in TRANSCRIPTS for turn in load(p)["turns"] if "intent" in turn}
