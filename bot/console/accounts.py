"""Office console accounts: argon2 password hashes, roles, and a lockout that grows with failures.

Account changes are written to the audit trail (not about any ticket), beside the ticket events.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.engine import transaction
from bot.storage.tables import AuditEvent, StaffUser

log = logging.getLogger(__name__)

MIN_PASSWORD_CHARS = 12
# Hashing is deliberately slow; a megabyte "password" must not make it slower still.
MAX_PASSWORD_CHARS = 1024
# Five wrong passwords in a row are a typo or two; from then on each failure locks the account
# for twice as long as the last (1, 2, 4 ... minutes), up to an hour: a guesser gets a few dozen
# tries a day, and a member of staff who forgot is never locked out for long.
FREE_ATTEMPTS = 5
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)


class Role(StrEnum):
    """What a member of staff may do in the console."""

    OFFICE = "office"  # triage: read and work tickets
    DPO = "dpo"  # the data protection lead: also refuse, export and purge
    ADMIN = "admin"  # as the DPO; kept apart so the record shows who held which job


# Refusing a request, taking the record out of the system and deleting it are the data
# protection lead's decisions, not the office's.
RECORD_KEEPERS = frozenset({Role.DPO, Role.ADMIN})


class AccountError(Exception):
    """An account change or login that cannot be done; the message can be shown as it is."""


class UnknownAccount(AccountError):
    """No account has that email address."""


class LoginFailed(AccountError):
    """Wrong email or password; deliberately does not say which."""


class LockedOut(LoginFailed):
    """Too many wrong passwords: no attempt is checked until `until`."""

    def __init__(self, until: datetime) -> None:
        super().__init__(f"too many failed attempts; try again after {until:%H:%M} UTC")
        self.until = until


class AccountDisabled(LoginFailed):
    """The password was right, but the account has been disabled."""


@dataclass(frozen=True)
class StaffMember:
    """A signed-in member of staff, as the console and the audit trail know them."""

    email: str
    role: Role
    # Changes whenever the password does, so that resetting it ends every session.
    fingerprint: str

    @property
    def keeps_the_record(self) -> bool:
        return self.role in RECORD_KEEPERS


@dataclass(frozen=True)
class AccountView:
    email: str
    role: Role
    disabled: bool
    locked_until: datetime | None
    last_login_at: datetime | None


def normal_email(email: str) -> str:
    """Return the address as accounts are keyed: validated, lower case."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError(f"{email!r} is not an email address: {error}") from error


def role_of(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise AccountError(
            f"{value!r} is not a role; use one of: {', '.join(r.value for r in Role)}"
        ) from None


def lock_for(failures: int) -> timedelta | None:
    """Return how long to lock an account after `failures` wrong passwords in a row."""
    if failures < FREE_ATTEMPTS:
        return None
    return min(FIRST_LOCK * (1 << min(failures - FREE_ATTEMPTS, 16)), LONGEST_LOCK)


class StaffAccounts:
    """Create, disable and reset accounts, and check passwords at login."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        hasher: PasswordHasher | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._hasher = hasher or PasswordHasher()
        self._now = now
        self._decoy: str | None = None

    def add(self, email: str, password: str, role: Role, *, actor: str) -> StaffMember:
        address = normal_email(email)
        user = StaffUser(
            email=address,
            password_hash=self._hash(password),
            role=role.value,
            disabled=False,
            failed_logins=0,
            created_at=self._now(),
        )
        try:
            with transaction(self._sessions) as session:
                session.add(user)
                self._audit(session, actor, "staff_added", f"{address} ({role.value})")
        except IntegrityError:
            raise AccountError(f"{address} already has an account") from None
        log.info("staff account %s added as %s", address, role.value)
        return _member(user)

    def set_disabled(self, email: str, disabled: bool, *, actor: str) -> None:
        """Disable an account (its sessions end at their next request) or enable it again."""
        with transaction(self._sessions) as session:
            user = self._load(session, email)
            user.disabled = disabled
            action = "staff_disabled" if disabled else "staff_enabled"
            self._audit(session, actor, action, user.email)
        log.info("staff account %s %s", user.email, "disabled" if disabled else "enabled")

    def reset(self, email: str, password: str, *, actor: str) -> StaffMember:
        """Set a new password and lift any lockout; existing sessions end."""
        password_hash = self._hash(password)
        with transaction(self._sessions) as session:
            user = self._load(session, email)
            user.password_hash = password_hash
            user.failed_logins = 0
            user.locked_until = None
            self._audit(session, actor, "staff_password_reset", user.email)
        log.info("staff account %s: password reset", user.email)
        return _member(user)

    def accounts(self) -> list[AccountView]:
        with transaction(self._sessions) as session:
            users = session.scalars(select(StaffUser).order_by(StaffUser.email))
            return [
                AccountView(u.email, Role(u.role), u.disabled, u.locked_until, u.last_login_at)
                for u in users
            ]

    def authenticate(self, email: str, password: str) -> StaffMember:
        """Return the member of staff, or raise LoginFailed (LockedOut, AccountDisabled)."""
        try:
            address = normal_email(email)
        except AccountError:
            address = ""
        now = self._now()
        with transaction(self._sessions) as session:
            user = session.scalar(
                select(StaffUser).where(StaffUser.email == address).with_for_update()
            )
            if user is None:
                # As slow as checking a real password: the timing must not tell which
                # addresses have accounts.
                if self._decoy is None:
                    self._decoy = self._hasher.hash("not a password anyone has")
                self._verify(self._decoy, password)
                raise LoginFailed("wrong email or password")
            if user.locked_until is not None and user.locked_until > now:
                raise LockedOut(user.locked_until)
            failed: LoginFailed
            if not self._verify(user.password_hash, password):
                user.failed_logins += 1
                lock = lock_for(user.failed_logins)
                user.locked_until = now + lock if lock else None
                failed = LockedOut(now + lock) if lock else LoginFailed("wrong email or password")
                log.warning("failed login for %s (%d in a row)", address, user.failed_logins)
            elif user.disabled:
                failed = AccountDisabled("this account is disabled; ask an admin")
            else:
                user.failed_logins = 0
                user.locked_until = None
                user.last_login_at = now
                if self._hasher.check_needs_rehash(user.password_hash):
                    user.password_hash = self._hasher.hash(password)
                return _member(user)
        # Raised outside the transaction, so that the failure count is committed.
        raise failed

    def current(self, email: str, fingerprint: str) -> StaffMember | None:
        """Return the member of staff a session names, unless disabled or the password changed."""
        with transaction(self._sessions) as session:
            user = session.scalar(select(StaffUser).where(StaffUser.email == email))
            if user is None or user.disabled:
                return None
            member = _member(user)
        return member if member.fingerprint == fingerprint else None

    def _hash(self, password: str) -> str:
        if len(password) < MIN_PASSWORD_CHARS:
            raise AccountError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
        if len(password) > MAX_PASSWORD_CHARS:
            raise AccountError(f"a password can have at most {MAX_PASSWORD_CHARS} characters")
        return self._hasher.hash(password)

    def _verify(self, password_hash: str, password: str) -> bool:
        if len(password) > MAX_PASSWORD_CHARS:
            return False
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    @staticmethod
    def _load(session: Session, email: str) -> StaffUser:
        address = normal_email(email)
        user = session.scalar(select(StaffUser).where(StaffUser.email == address).with_for_update())
        if user is None:
            raise UnknownAccount(f"no account for {address}")
        return user

    def _audit(self, session: Session, actor: str, action: str, what: str) -> None:
        session.add(
            AuditEvent(
                at=self._now(),
                actor=actor.strip()[:100] or "unknown",
                action=action,
                field="staff_account",
                new_value=what,
            )
        )


def _member(user: StaffUser) -> StaffMember:
    fingerprint = hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]
    return StaffMember(email=user.email, role=Role(user.role), fingerprint=fingerprint)
