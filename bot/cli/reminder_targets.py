"""Where `privacybot reminders` sends: each configured platform's notifier, and email.

Here, above the channels, because the reminders core (bot.tickets.reminders) must not import
them; each platform is loaded only when its settings are set.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.config import Settings
from bot.rules.clock import LONDON
from bot.tickets.reminders import EmailNotifier, Notifier
from bot.tickets.service import RequestService

log = logging.getLogger(__name__)

_TIMEOUT_SECONDS = 30


def notifiers_from_settings(settings: Settings, requests: RequestService) -> list[Notifier]:
    """The targets the settings configure: Slack, Teams and email, each only if set up."""
    notifiers: list[Notifier] = []
    if settings.slack_bot_token and settings.slack_triage_channel:
        from slack_sdk import WebClient

        from bot.slack.reminders import SlackNotifier

        client = WebClient(
            token=settings.slack_bot_token.get_secret_value(),
            base_url=settings.slack_api_url or WebClient.BASE_URL,
            timeout=_TIMEOUT_SECONDS,
        )
        notifiers.append(SlackNotifier(client, settings.slack_triage_channel))
    teams = _teams(settings, requests)
    if teams is not None:
        notifiers.append(teams)
    if settings.smtp_host and settings.reminder_email_to:
        notifiers.append(
            EmailNotifier(
                host=settings.smtp_host,
                port=settings.smtp_port,
                security=settings.smtp_security,
                sender=settings.smtp_from or f"privacybot@{settings.smtp_host}",
                recipients=[str(address) for address in settings.reminder_email_to],
                user=settings.smtp_user,
                password=(
                    settings.smtp_password.get_secret_value() if settings.smtp_password else None
                ),
            )
        )
    return notifiers


def _teams(settings: Settings, requests: RequestService) -> Notifier | None:
    """Cards from the bot when it has a triage channel; otherwise the webhook, if one is set."""
    channel = settings.teams_triage_conversation_id
    webhook = settings.teams_reminder_webhook_url
    if settings.teams_configured() and channel:
        from bot.teams.poster import ChannelPoster
        from bot.teams.reminders import TeamsBotNotifier
        from bot.teams.sdk import connect

        if webhook is not None:
            log.warning("reminders go through the Teams bot; the webhook URL is not used")
        poster = ChannelPoster(
            connect(settings),
            service_url=settings.teams_service_url,
            tenant_id=settings.teams_tenant_id,
        )
        # The card's buttons and words are the request service's, as on the triage cards.
        return TeamsBotNotifier(
            poster,
            channel,
            lambda: datetime.now(LONDON).date(),
            requests.actions_for,
            requests.messages,
        )
    if webhook is not None:
        from bot.teams.reminders import TeamsWebhookNotifier

        return TeamsWebhookNotifier(webhook.get_secret_value())
    return None
