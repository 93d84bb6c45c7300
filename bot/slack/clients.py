"""Slack Web API clients: the configured base URL, and retries for what is worth retrying.

Connection errors and Slack's 500/503 are retried with backoff. A 429 is retried after the
Retry-After Slack sends, except by the triage feed, which holds the database while it posts and
so gives up at once and tries on its next run instead. Other errors (invalid_auth,
channel_not_found, ...) are not retried: they need the operator, and are logged for them.
"""

from __future__ import annotations

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.web import WebClient
from slack_sdk.web.async_client import AsyncWebClient

# Replies must reach staff while they are still looking; a queue of minutes helps nobody.
_TIMEOUT_SECONDS = 10
_RETRIES = 2


def async_client(base_url: str, token: str | None = None) -> AsyncWebClient:
    """The client Bolt answers with (and copies, with these retries, for each workspace)."""
    handlers: list[AsyncRetryHandler] = [
        AsyncConnectionErrorRetryHandler(max_retry_count=_RETRIES),
        AsyncServerErrorRetryHandler(max_retry_count=_RETRIES),
        AsyncRateLimitErrorRetryHandler(max_retry_count=_RETRIES),
    ]
    return AsyncWebClient(
        token=token, base_url=base_url, timeout=_TIMEOUT_SECONDS, retry_handlers=handlers
    )


def sync_client(base_url: str, token: str | None, *, wait_out_rate_limits: bool) -> WebClient:
    """A client for synchronous callers: the hand-off bridge and the triage feed (in threads)."""
    handlers: list[RetryHandler] = [
        ConnectionErrorRetryHandler(max_retry_count=_RETRIES),
        ServerErrorRetryHandler(max_retry_count=_RETRIES),
    ]
    if wait_out_rate_limits:
        handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    return WebClient(
        token=token, base_url=base_url, timeout=_TIMEOUT_SECONDS, retry_handlers=handlers
    )
