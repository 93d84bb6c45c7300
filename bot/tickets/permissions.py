"""Who may work tickets, whichever channel they act from: the role rules, checked in one place.

The request service calls `check` for every change it records, inside the change's transaction,
so a refusal rolls the whole change back. The acting person is the `actor` the channel passes:

- `slack:U123 (Name)` or `teams:<Entra object id> (Name)`: a Slack or Teams user, who acts with
  the role of the console account they are linked to (`privacybot staff link`, or automatically
  by the verified email address on their Slack profile). Unlinked, they can ask questions and log
  requests, but not work tickets.
- an email address with a console account: that account's role (the console checks it too).
- anything else: the server's operator on the command line, who already holds the database.

Refusing a request, exporting the request log and purging are for the `dpo` and `admin` roles
only, in every channel.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.rules.lifecycle import Outcome, TicketError
from bot.storage.engine import transaction
from bot.storage.tables import AuditEvent, StaffLink, StaffUser

log = logging.getLogger(__name__)

PLATFORMS = ("slack", "teams")
RECORD_KEEPER_ROLES = frozenset({"dpo", "admin"})
# Open to anyone who can reach the bot: logging a request, and the record that a ticket was read.
_OPEN_ACTIONS = frozenset({"logged", "viewed"})
_RECORD_KEEPER_ACTIONS = frozenset({"exported", "purged", "purged_transcripts"})
_PLATFORM_ACTOR = re.compile(r"(slack|teams):(\S+)")


class NotPermitted(TicketError):
    """The acting person may not do this; the message says why and what to do about it."""


def check(session: Session, actor: str, action: str, field: str | None, new: object) -> None:
    """Raise NotPermitted unless `actor` may record `action` (setting `field` to `new`)."""
    if action in _OPEN_ACTIONS:
        return
    platform_user = _PLATFORM_ACTOR.match(actor.strip())
    if platform_user is None:
        role = session.scalar(
            select(StaffUser.role).where(StaffUser.email == actor.strip().lower())
        )
        if role is None:  # the operator at the server's command line
            return
    else:
        platform, user_id = platform_user.groups()
        role = _linked_role(session, platform, user_id)
        if role is None:
            raise NotPermitted(
                "Only office staff with a console account can work tickets. Ask an admin to "
                f"link your {platform.title()} account to yours (privacybot staff link)."
            )
    refusing = field == "outcome" and new == Outcome.REFUSED
    if (refusing or action in _RECORD_KEEPER_ACTIONS) and role not in RECORD_KEEPER_ROLES:
        what = "refuse a request" if refusing else "do this"
        raise NotPermitted(
            f"Only the data protection lead (the dpo role) or an admin can {what}. "
            f"You act with the {role} role."
        )


def _linked_role(session: Session, platform: str, user_id: str) -> str | None:
    return session.scalar(
        select(StaffUser.role)
        .join(StaffLink, StaffLink.staff_user_id == StaffUser.id)
        .where(
            StaffLink.platform == platform,
            StaffLink.platform_user_id == user_id,
            StaffUser.disabled.is_(False),
        )
    )


class StaffLinks:
    """Link Slack and Teams users to console accounts, by an admin or by a verified email."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._now = now

    def link(self, email: str, platform: str, user_id: str, *, actor: str) -> None:
        """Link (or re-link) the platform user to the account with `email`; LookupError if none."""
        if platform not in PLATFORMS or not user_id.strip():
            raise ValueError(f"not a Slack or Teams user: {platform}:{user_id}")
        with transaction(self._sessions) as session:
            self._link(session, email.strip().lower(), platform, user_id.strip(), actor)

    def link_verified_email(self, platform: str, user_id: str, email: str) -> bool:
        """Link a user whose platform vouches for `email`, if it has an account and no link yet."""
        with transaction(self._sessions) as session:
            linked = session.get(StaffLink, (platform, user_id))
            if linked is not None:
                return False
            try:
                self._link(session, email.strip().lower(), platform, user_id, "verified email")
            except LookupError:
                return False
        return True

    def _link(self, session: Session, email: str, platform: str, user_id: str, actor: str) -> None:
        user = session.scalar(select(StaffUser).where(StaffUser.email == email))
        if user is None:
            raise LookupError(f"no account for {email}")
        link = session.get(StaffLink, (platform, user_id))
        if link is None:
            link = StaffLink(platform=platform, platform_user_id=user_id)
            session.add(link)
        link.staff_user_id = user.id
        link.linked_by = actor.strip()[:100] or "unknown"
        link.linked_at = self._now()
        session.add(
            AuditEvent(
                at=self._now(),
                actor=link.linked_by,
                action="staff_linked",
                field="staff_account",
                new_value=f"{platform}:{user_id} -> {email}",
            )
        )
        log.info("%s:%s linked to %s", platform, user_id, email)
