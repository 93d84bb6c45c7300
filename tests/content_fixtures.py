"""Fixtures for the shipped content: the settings and one handler built from them per session."""

from __future__ import annotations

import pytest

from bot.config import Settings, load_settings
from bot.conversation.assembly import build_conversation
from bot.conversation.handler import Conversation


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def conversation(settings: Settings) -> Conversation:
    """Matching and answers only: tests that need the database build their own around these."""
    return build_conversation(settings, with_database=False)
