"""The Microsoft 365 Agents SDK, set up from the settings: who may call in, how the bot calls out.

Incoming requests carry a Bot Framework token that the SDK validates against the bot's app
registration (audience = TEAMS_APP_ID, issuers limited to Bot Framework and the school's tenant).
Replies and proactive posts carry a token the SDK gets with the client secret through MSAL. In
development with TEAMS_ALLOW_ANONYMOUS and no registration, nothing is validated and nothing is
signed, which is how a local emulator, or a test's loopback connector, talks to the bot.
"""

from __future__ import annotations

from dataclasses import dataclass

from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core import (
    AgentAuthConfiguration,
    AnonymousTokenProvider,
    AuthenticationConstants,
    ClaimsIdentity,
    ConnectionManager,
    Connections,
    OutboundHostValidator,
)
from microsoft_agents.hosting.core.authorization import AuthTypes
from microsoft_agents.hosting.fastapi import CloudAdapter

from bot.config import Settings

SERVICE_CONNECTION = "SERVICE_CONNECTION"


@dataclass(frozen=True)
class TeamsConnection:
    """The SDK objects one application needs, built once from the settings."""

    adapter: CloudAdapter
    auth: AgentAuthConfiguration
    app_id: str | None

    def outgoing_identity(self) -> ClaimsIdentity:
        """Who the bot is when it starts a turn itself (posting a triage card)."""
        if self.app_id is None:
            # No registration: an anonymous identity, so no token is requested or sent.
            return ClaimsIdentity()
        return self.adapter.create_claims_identity(self.app_id)

    @property
    def outgoing_audience(self) -> str:
        return AuthenticationConstants.AGENTS_SDK_SCOPE


def connect(settings: Settings) -> TeamsConnection:
    """Build the adapter and the authentication configuration for `settings`."""
    connections: Connections
    if settings.teams_app_id is not None:
        password = settings.teams_app_password
        auth = AgentAuthConfiguration(
            auth_type=AuthTypes.client_secret,
            client_id=settings.teams_app_id,
            tenant_id=settings.teams_tenant_id,
            client_secret=password.get_secret_value() if password else None,
            anonymous_allowed=settings.teams_allow_anonymous,
            # Single tenant: only Bot Framework's own tokens and our tenant's are accepted.
            validate_issuer=True,
        )
        connections = MsalConnectionManager(connections_configurations={SERVICE_CONNECTION: auth})
    else:
        auth = AgentAuthConfiguration(anonymous_allowed=settings.teams_allow_anonymous)
        connections = ConnectionManager(
            provider_factory=lambda _config: AnonymousTokenProvider(),
            connections_configurations={SERVICE_CONNECTION: auth},
        )
    adapter = CloudAdapter(
        connection_manager=connections,
        # In production replies may only go to Microsoft's Bot Connector hosts: a forged
        # serviceUrl must not make the bot send its token (or anything) elsewhere.
        host_validator=OutboundHostValidator(enabled=settings.env == "production"),
    )
    # Without a handler the SDK sends the exception text to the chat; we log it instead (the
    # route) and a failed proactive post raises to the triage feed, which retries it.
    adapter.on_turn_error = None
    return TeamsConnection(adapter=adapter, auth=auth, app_id=settings.teams_app_id)
