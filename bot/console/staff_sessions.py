"""Console sessions kept on the server, so that ending one ends it for every copy of the cookie.

The cookie carries a random token; the database keeps only its SHA-256, with the account and an
expiry. Logging out deletes the row; disabling an account, resetting its password or changing
its role deletes all of its rows, so enabling the account again revives nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.console.accounts import Role, StaffMember
from bot.storage.engine import transaction
from bot.storage.tables import StaffSession, StaffUser


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StaffSessions:
    """Start, look up and end signed-in sessions."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        lifetime: timedelta,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self.lifetime = lifetime
        self._now = now

    def start(self, member: StaffMember) -> str:
        """A new session for a member who just proved their password; returns its token."""
        token = secrets.token_urlsafe(32)
        now = self._now()
        with transaction(self._sessions) as session:
            user_id = session.scalar(select(StaffUser.id).where(StaffUser.email == member.email))
            if user_id is None:  # removed between the password check and now
                raise LookupError(member.email)
            # Expired rows of this account go as a new one comes, so the table stays small.
            session.execute(
                delete(StaffSession).where(
                    StaffSession.staff_user_id == user_id, StaffSession.expires_at <= now
                )
            )
            session.add(
                StaffSession(
                    token_hash=_digest(token),
                    staff_user_id=user_id,
                    created_at=now,
                    expires_at=now + self.lifetime,
                )
            )
        return token

    def member(self, token: str) -> StaffMember | None:
        """The member of staff a live session belongs to, read afresh on every request."""
        with transaction(self._sessions) as session:
            row = session.execute(
                select(StaffUser.email, StaffUser.role, StaffUser.disabled)
                .join(StaffSession, StaffSession.staff_user_id == StaffUser.id)
                .where(
                    StaffSession.token_hash == _digest(token),
                    StaffSession.expires_at > self._now(),
                )
            ).first()
        if row is None or row.disabled:
            return None
        return StaffMember(email=row.email, role=Role(row.role))

    def end(self, token: str) -> None:
        with transaction(self._sessions) as session:
            session.execute(delete(StaffSession).where(StaffSession.token_hash == _digest(token)))
