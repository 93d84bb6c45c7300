"""Which Slack and Teams users act as which console account: linked by an admin or by email.

A link gives a Slack or Teams user their console account's role in that channel (the rules are
in bot.tickets.permissions, which reads the links on every change, so a link added or removed
here counts from the next click on). Every change is audited with the admin who made it.

An admin's removal is remembered through the audit trail: a user whose link an admin removed is
not linked again from their verified email address, only by an admin adding the link back.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.engine import transaction
from bot.storage.tables import AuditEvent, StaffLink, StaffUser
from bot.tickets.audit import audit_event

log = logging.getLogger(__name__)

PLATFORMS = ("slack", "teams")
VERIFIED_EMAIL = "verified email"
LINKED, UNLINKED = "staff_linked", "staff_unlinked"
# The audit field of every change to who acts as which account (as bot.console.accounts).
STAFF_ACCOUNT = "staff_account"
# A Slack member ID (U..., or W... on Enterprise Grid) and a Microsoft Entra object ID (a GUID).
_SHAPES = {
    "slack": re.compile(r"[UW][A-Z0-9]{1,20}"),
    "teams": re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
}


class LinkProblem(ValueError):
    """A link that cannot be made or removed; the attributes say which case, for the wording."""


class BadPlatformUser(LinkProblem):
    """No platform chosen, or a user id that is empty or not of the platform's shape."""

    def __init__(self, platform: str, user_id: str) -> None:
        self.platform, self.user_id = platform, user_id
        if platform not in PLATFORMS:
            message = f"not a Slack or Teams user: {platform}:{user_id}"
        elif not user_id.strip():
            message = f"no {platform.title()} user id given"
        elif platform == "slack":
            message = f"not a Slack member ID (U then capitals and digits): {user_id.strip()}"
        else:
            message = f"not a Teams user's object ID (a GUID): {user_id.strip()}"
        super().__init__(message)


class UnknownStaffAccount(LinkProblem, LookupError):
    def __init__(self, email: str) -> None:
        self.email = email
        super().__init__(f"no account for {email}")


class DisabledStaffAccount(LinkProblem):
    def __init__(self, email: str) -> None:
        self.email = email
        super().__init__(f"{email} is disabled: enable the account before linking to it")


class AlreadyLinked(LinkProblem):
    """The platform user is linked to another account; an admin removes that link first."""

    def __init__(self, platform: str, user_id: str, email: str) -> None:
        self.platform, self.user_id, self.email = platform, user_id, email
        super().__init__(f"{platform} user {user_id} is already linked to {email}")


class NoSuchLink(LinkProblem, LookupError):
    def __init__(self, platform: str, user_id: str) -> None:
        self.platform, self.user_id = platform, user_id
        super().__init__(f"{platform} user {user_id} is not linked to any account")


@dataclass(frozen=True)
class LinkView:
    platform: str
    user_id: str
    email: str
    role: str
    disabled: bool
    linked_by: str
    linked_at: datetime


def normal_user_id(platform: str, user_id: str) -> str:
    """The id as links are keyed (Slack's upper case, Teams' lower); BadPlatformUser if it is
    empty or not of the platform's shape."""
    shape = _SHAPES.get(platform)
    wanted = user_id.strip()
    wanted = wanted.upper() if platform == "slack" else wanted.lower()
    if shape is None or not shape.fullmatch(wanted):
        raise BadPlatformUser(platform, user_id)
    return wanted


class StaffLinks:
    """List, add and remove links; link a user by an email their platform vouches for."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._now = now

    def links(self) -> list[LinkView]:
        """Every link, by platform and user id."""
        with transaction(self._sessions) as session:
            rows = session.execute(
                select(StaffLink, StaffUser)
                .join(StaffUser, StaffLink.staff_user_id == StaffUser.id)
                .order_by(StaffLink.platform, StaffLink.platform_user_id)
            ).all()
            return [
                LinkView(
                    link.platform,
                    link.platform_user_id,
                    user.email,
                    user.role,
                    user.disabled,
                    link.linked_by,
                    link.linked_at,
                )
                for link, user in rows
            ]

    def link(
        self, email: str, platform: str, user_id: str, *, actor: str, replace: bool = True
    ) -> None:
        """Link the platform user to the (enabled) account with `email`.

        A user linked to another account is re-linked, or with `replace=False` refused with
        AlreadyLinked. Raises a LinkProblem for a bad id, an unknown or a disabled account.
        """
        wanted = normal_user_id(platform, user_id)
        address = email.strip().lower()
        try:
            with transaction(self._sessions) as session:
                current = session.get(StaffLink, (platform, wanted))
                if current is not None and not replace:
                    holder = session.get(StaffUser, current.staff_user_id)
                    if holder is not None and holder.email != address:
                        raise AlreadyLinked(platform, wanted, holder.email)
                self._link(session, address, platform, wanted, actor)
        except IntegrityError:
            # Another admin linked the same user a moment ago: theirs stands.
            raise AlreadyLinked(platform, wanted, "another account") from None

    def unlink(self, platform: str, user_id: str, *, actor: str) -> str:
        """Remove a link (the user can no longer work tickets); returns the account's email."""
        wanted = normal_user_id(platform, user_id)
        with transaction(self._sessions) as session:
            link = session.get(StaffLink, (platform, wanted), with_for_update=True)
            if link is None:
                raise NoSuchLink(platform, wanted)
            user = session.get(StaffUser, link.staff_user_id)
            email = user.email if user is not None else "a deleted account"
            session.delete(link)
            self._audit(session, actor, UNLINKED, old=f"{platform}:{wanted} -> {email}")
        log.info("%s:%s unlinked from %s", platform, wanted, email)
        return email

    def link_verified_email(self, platform: str, user_id: str, email: str) -> bool:
        """Link a user whose platform vouches for `email`, if it has an enabled account, the
        user has no link yet, and no admin has removed one of theirs."""
        try:
            wanted = normal_user_id(platform, user_id)
        except BadPlatformUser:
            return False
        try:
            with transaction(self._sessions) as session:
                if session.get(StaffLink, (platform, wanted)) is not None:
                    return False
                if self._removed_by_admin(session, platform, wanted):
                    return False
                self._link(session, email.strip().lower(), platform, wanted, VERIFIED_EMAIL)
        except (LinkProblem, IntegrityError):
            return False
        return True

    def is_linked(self, platform: str, user_id: str) -> bool:
        try:
            wanted = normal_user_id(platform, user_id)
        except BadPlatformUser:
            return False
        with transaction(self._sessions) as session:
            return session.get(StaffLink, (platform, wanted)) is not None

    def _link(self, session: Session, email: str, platform: str, user_id: str, actor: str) -> None:
        user = session.scalar(select(StaffUser).where(StaffUser.email == email))
        if user is None:
            raise UnknownStaffAccount(email)
        if user.disabled:
            raise DisabledStaffAccount(email)
        link = session.get(StaffLink, (platform, user_id))
        if link is None:
            link = StaffLink(platform=platform, platform_user_id=user_id)
            session.add(link)
        link.staff_user_id = user.id
        link.linked_by = actor.strip()[:100] or "unknown"
        link.linked_at = self._now()
        session.flush()
        self._audit(session, link.linked_by, LINKED, new=f"{platform}:{user_id} -> {email}")
        log.info("%s:%s linked to %s", platform, user_id, email)

    @staticmethod
    def _removed_by_admin(session: Session, platform: str, user_id: str) -> bool:
        # Ids are of a checked shape (letters, digits, hyphens): nothing in them is a wildcard.
        found = session.scalar(
            select(AuditEvent.id)
            .where(
                AuditEvent.action == UNLINKED,
                AuditEvent.old_value.like(f"{platform}:{user_id} -> %"),
            )
            .limit(1)
        )
        return found is not None

    def _audit(
        self,
        session: Session,
        actor: str,
        action: str,
        *,
        old: str | None = None,
        new: str | None = None,
    ) -> None:
        session.add(
            audit_event(
                None,
                at=self._now(),
                actor=actor,
                action=action,
                field=STAFF_ACCOUNT,
                old=old,
                new=new,
            )
        )
