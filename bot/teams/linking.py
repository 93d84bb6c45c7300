"""Link a Teams user to their console account by the address the school's directory holds.

An activity says who sent it (`from.aadObjectId`) but not their address. The Bot Connector's
roster does: GET {serviceUrl}/v3/conversations/{id}/members/{user} answers with the member's
user principal name and email, read from Microsoft Entra ID. Those come from the directory, set
by the tenant's admins: a user cannot edit either, and a UPN's domain is one the tenant has
verified. In production the SDK accepts the activity only with a Bot Framework token whose
service URL matches the activity's, and sends nothing outside Microsoft's hosts, so the answer is
the connector's. Not trusted, and never used to link:

- anything in the activity itself (a display name is the user's to change);
- a member who is a guest or an anonymous user: their address is the one they were invited
  with, typed by whoever invited them;
- a member from another tenant, or whose object id is not the sender's;
- any of this when the bot has no TEAMS_TENANT_ID, which says whose directory is ours.

(In development with TEAMS_ALLOW_ANONYMOUS nothing about an activity is checked, this included.)
"""

from __future__ import annotations

import logging

import aiohttp
from fastapi.concurrency import run_in_threadpool
from microsoft_agents.activity.teams import TeamsChannelAccount
from microsoft_agents.hosting.core import ConnectorClientBase, TurnContext
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from bot.tickets.staff_links import StaffLinks

log = logging.getLogger(__name__)

PLATFORM = "teams"
# The roster's userRole for a member of the tenant (guests are "guest", others "anonymous").
MEMBER_ROLE = "user"


def directory_addresses(member: TeamsChannelAccount, object_id: str, tenant_id: str) -> list[str]:
    """The addresses to link by, most trusted first; none unless the member is the sender and
    a full member of our tenant."""
    if (member.aad_object_id or "").lower() != object_id.lower():
        return []
    if (member.user_role or "").lower() != MEMBER_ROLE:
        return []
    if member.tenant_id and member.tenant_id.lower() != tenant_id.lower():
        return []
    found = [member.user_principal_name, member.email]
    addresses = [a.strip().lower() for a in found if isinstance(a, str) and "@" in a]
    return list(dict.fromkeys(addresses))


async def link_from_directory(
    context: TurnContext, links: StaffLinks, tenant_id: str | None
) -> None:
    """Link the sender to the console account with their directory address, if they have no
    link yet (and no admin removed one): the request service then gives them its role."""
    activity = context.activity
    sender = activity.from_property
    object_id = sender.aad_object_id if sender else None
    if tenant_id is None or sender is None or not object_id or not sender.id:
        return
    if await run_in_threadpool(links.is_linked, PLATFORM, object_id):
        return
    # The SDK files the turn's connector client under its abstract base class.
    client = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
    if not isinstance(client, TeamsConnectorClient):
        return
    # A channel thread's id carries ";messageid=...": the roster is the channel's.
    conversation = activity.conversation.id.split(";", 1)[0]
    try:
        member = await client.get_conversation_member(conversation, sender.id)
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        log.warning("Teams: no roster entry for %s (%s)", object_id, type(error).__name__)
        return
    for address in directory_addresses(member, object_id, tenant_id):
        if await run_in_threadpool(links.link_verified_email, PLATFORM, object_id, address):
            return
