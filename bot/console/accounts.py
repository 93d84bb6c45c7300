"""Office console accounts: argon2 password hashes, roles, and the login check.

A password is verified outside any database transaction: argon2 is slow on purpose, and on
SQLite a transaction holds the one write lock. Repeated failures are slowed down per account
and client address by the login throttle (bot/console/throttle.py), never by locking the
account, so nobody can lock the DPO out by typing their address. Account changes and every
login success or failure are written to the audit trail (never a password).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.console.worded import Worded
from bot.storage.engine import transaction
from bot.storage.tables import AuditEvent, StaffSession, StaffUser

log = logging.getLogger(__name__)

MIN_PASSWORD_CHARS = 12
# Hashing is deliberately slow; a megabyte "password" must not make it slower still.
MAX_PASSWORD_CHARS = 1024
# What the audit trail records for a login attempt whose "email" is no address at all (it may
# be a password typed into the wrong box).
NOT_AN_ADDRESS = "(not an email address)"


class Role(StrEnum):
    """What a member of staff may do in the console."""

    OFFICE = "office"  # triage: read and work tickets
    DPO = "dpo"  # the data protection lead: also refuse, export and purge
    ADMIN = "admin"  # as the DPO; kept apart so the record shows who held which job


# Refusing a request, taking the record out of the system and deleting it are the data
# protection lead's decisions, not the office's.
RECORD_KEEPERS = frozenset({Role.DPO, Role.ADMIN})


class AccountError(Worded):
    """An account change or login that cannot be done; its words: `accounts.*` in console.yaml."""


class UnknownAccount(AccountError):
    """No account has that email address."""


class LoginFailed(AccountError):
    """Wrong email or password; deliberately does not say which."""


class AccountDisabled(LoginFailed):
    """The password was right, but the account has been disabled."""


@dataclass(frozen=True)
class StaffMember:
    """A signed-in member of staff, as the console and the audit trail know them."""

    email: str
    role: Role

    @property
    def keeps_the_record(self) -> bool:
        return self.role in RECORD_KEEPERS


@dataclass(frozen=True)
class AccountView:
    email: str
    role: Role
    disabled: bool
    last_login_at: datetime | None


def normal_email(email: str) -> str:
    """Return the address as accounts are keyed: validated, lower case."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError("accounts.not_an_email", email=email, problem=error) from error


def normal_email_or_blank(email: str) -> str:
    """The address as accounts are keyed, or "" for text that is no address."""
    try:
        return normal_email(email)
    except AccountError:
        return ""


def role_of(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise AccountError("accounts.not_a_role", role=value, roles=roles) from None


def end_sessions_of(session: Session, user: StaffUser) -> None:
    """Within an account change's transaction: every console session of the account ends."""
    session.execute(delete(StaffSession).where(StaffSession.staff_user_id == user.id))


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

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The session factory, for stores that share the accounts' database."""
        return self._sessions

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
            raise AccountError("accounts.already_exists", email=address) from None
        log.info("staff account %s added as %s", address, role.value)
        return _member(user)

    def set_disabled(self, email: str, disabled: bool, *, actor: str) -> None:
        """Disable an account (its sessions end at once) or enable it again (with none)."""
        with transaction(self._sessions) as session:
            user = self._load(session, email)
            user.disabled = disabled
            end_sessions_of(session, user)
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
            end_sessions_of(session, user)
            self._audit(session, actor, "staff_password_reset", user.email)
        log.info("staff account %s: password reset", user.email)
        return _member(user)

    def record_unlock(self, email: str, *, actor: str) -> str:
        """Audit an admin clearing an account's failed sign-ins; returns the account's address.

        The failures themselves are counted by the login throttle, which the caller clears.
        """
        with transaction(self._sessions) as session:
            user = self._load(session, email)
            self._audit(session, actor, "staff_unlocked", user.email)
        log.info("staff account %s: failed sign-ins cleared", user.email)
        return user.email

    def set_role(self, email: str, role: Role, *, actor: str) -> StaffMember:
        """Give an account another role; its sessions end, so the new role applies at once."""
        with transaction(self._sessions) as session:
            user = self._load(session, email)
            old = user.role
            user.role = role.value
            end_sessions_of(session, user)
            session.add(
                AuditEvent(
                    at=self._now(),
                    actor=actor.strip()[:100] or "unknown",
                    action="staff_role_changed",
                    field="staff_account",
                    old_value=f"{user.email} ({old})",
                    new_value=f"{user.email} ({role.value})",
                )
            )
        log.info("staff account %s: role %s", user.email, role.value)
        return _member(user)

    def accounts(self) -> list[AccountView]:
        with transaction(self._sessions) as session:
            users = session.scalars(select(StaffUser).order_by(StaffUser.email))
            return [AccountView(u.email, Role(u.role), u.disabled, u.last_login_at) for u in users]

    def authenticate(self, email: str, password: str, *, address: str = "local") -> StaffMember:
        """Return the member of staff, or raise LoginFailed (AccountDisabled when the password
        was right). Every outcome goes into the audit trail with the client's address."""
        login = normal_email_or_blank(email)
        with transaction(self._sessions) as session:
            user = session.scalar(select(StaffUser).where(StaffUser.email == login))
            stored = None if user is None else (user.password_hash, user.disabled)
        # The slow part, with no transaction open. An unknown address is checked against a
        # decoy hash, as slowly as a real one: timing must not tell who has an account.
        if stored is None:
            self._verify(self._decoy_hash(), password)
            self.record_login(login, address, "login_failed")
            raise LoginFailed("accounts.wrong_password")
        password_hash, disabled = stored
        if not self._verify(password_hash, password):
            self.record_login(login, address, "login_failed")
            log.warning("failed console login for %s from %s", login, address)
            raise LoginFailed("accounts.wrong_password")
        if disabled:
            self.record_login(login, address, "login_refused_disabled")
            raise AccountDisabled("accounts.disabled")
        rehashed = (
            self._hasher.hash(password) if self._hasher.check_needs_rehash(password_hash) else None
        )
        with transaction(self._sessions) as session:
            user = session.scalar(select(StaffUser).where(StaffUser.email == login))
            if user is None or user.disabled or user.password_hash != password_hash:
                # Changed while the password was being checked: the new state wins.
                raise LoginFailed("accounts.wrong_password")
            user.failed_logins = 0
            user.last_login_at = self._now()
            if rehashed is not None:
                user.password_hash = rehashed
            self._audit(session, login, "login_succeeded", f"from {address}")
            return _member(user)

    def record_login(self, login: str, address: str, action: str) -> None:
        """One audit event for a login attempt: who it claimed to be, from where, the outcome."""
        with transaction(self._sessions) as session:
            self._audit(session, login or NOT_AN_ADDRESS, action, f"from {address}")

    def _decoy_hash(self) -> str:
        if self._decoy is None:
            self._decoy = self._hasher.hash("not a password anyone has")
        return self._decoy

    def _hash(self, password: str) -> str:
        if len(password) < MIN_PASSWORD_CHARS:
            raise AccountError("accounts.password_too_short", count=MIN_PASSWORD_CHARS)
        if len(password) > MAX_PASSWORD_CHARS:
            raise AccountError("accounts.password_too_long", count=MAX_PASSWORD_CHARS)
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
            raise UnknownAccount("accounts.no_account", email=address)
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
    return StaffMember(email=user.email, role=Role(user.role))
