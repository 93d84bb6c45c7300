"""Staff administration for admins: add, disable, enable, reset and unlock console accounts.

Everything but unlocking goes through the accounts module's public functions; unlocking (a
lockout lifted without a new password, after the person proved who they are to the admin)
is written here the same way, with its audit event.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.console.accounts import StaffAccounts, UnknownAccount, normal_email, role_of
from bot.console.forms import Form
from bot.storage.engine import transaction
from bot.storage.tables import AuditEvent, StaffUser


def unlock(sessions: sessionmaker[Session], email: str, *, actor: str) -> None:
    """Lift a lockout after wrong passwords; the password stays as it was."""
    address = normal_email(email)
    with transaction(sessions) as session:
        user = session.scalar(select(StaffUser).where(StaffUser.email == address).with_for_update())
        if user is None:
            raise UnknownAccount(f"no account for {address}")
        user.failed_logins = 0
        user.locked_until = None
        session.add(
            AuditEvent(
                at=datetime.now(UTC),
                actor=actor.strip()[:100],
                action="staff_unlocked",
                field="staff_account",
                new_value=address,
            )
        )


# Each change and what the page says once it is done.
DONE = {
    "add": "Account added",
    "disable": "Account disabled; its sessions have ended",
    "enable": "Account enabled",
    "reset": "Password reset; the old sessions have ended",
    "unlock": "Account unlocked",
}


def run(
    accounts: StaffAccounts,
    sessions: sessionmaker[Session],
    what: str,
    form: Form,
    *,
    actor: str,
) -> str:
    """Carry out one staff administration form; return the address it was about."""
    email = form.text("email", "The email address")
    if what == "add":
        role = role_of(form.text("role", "The role"))
        accounts.add(email, form.text("password", "The first password"), role, actor=actor)
    elif what in ("disable", "enable"):
        accounts.set_disabled(email, what == "disable", actor=actor)
    elif what == "reset":
        accounts.reset(email, form.text("password", "The new password"), actor=actor)
    elif what == "unlock":
        unlock(sessions, email, actor=actor)
    return normal_email(email)
