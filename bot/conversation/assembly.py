"""Build the bot's parts from the settings, once per process."""

from __future__ import annotations

from bot.config import Settings
from bot.content.answers import Answers
from bot.content.intents import load_intents
from bot.content.matching import Matcher, Tuning
from bot.content.school import School
from bot.conversation.handler import Conversation
from bot.conversation.store import ConversationStore
from bot.tickets.school import school_from_settings
from bot.tickets.service import RequestService


def build_matcher(settings: Settings) -> Matcher:
    tuning = Tuning(
        answer_threshold=settings.answer_threshold,
        suggest_threshold=settings.suggest_threshold,
        close_call_margin=settings.close_call_margin,
    )
    return Matcher(load_intents(settings.intents_dir), tuning)


def build_conversation(
    settings: Settings, *, with_database: bool = True, school: School | None = None
) -> Conversation:
    """The handler; without the database it still answers, and points requests to the office."""
    school = school or school_from_settings(settings)
    conversation = Conversation(
        matcher=build_matcher(settings),
        answers=Answers.for_school(school),
        max_message_chars=settings.max_message_chars,
    )
    if with_database:
        requests = RequestService.from_settings(settings, school=school)
        conversation.requests = requests
        conversation.store = ConversationStore(requests.sessions)
    return conversation
