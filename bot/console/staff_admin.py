"""Staff administration for admins: add, disable, enable, reset and unlock console accounts.

Everything goes through the accounts module's public functions, which audit each change. Wrong
passwords never lock an account: they slow down tries for it from one address (bot.console
.throttle). Unlocking clears those delays at once, for someone who mistyped their password too
often and has been told to wait; a password reset does the same.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.console.accounts import StaffAccounts, normal_email, role_of
from bot.console.forms import Form

# Each change an admin can make; the page then says `staff_done.<change>` from console.yaml.
CHANGES = ("add", "disable", "enable", "reset", "unlock")


def run(
    accounts: StaffAccounts,
    sessions: sessionmaker[Session],
    what: str,
    form: Form,
    *,
    actor: str,
) -> str:
    """Carry out one staff administration form; return the address it was about."""
    email = form.text("email", "form.email")
    if what == "add":
        role = role_of(form.text("role", "form.role"))
        accounts.add(email, form.text("password", "form.first_password"), role, actor=actor)
    elif what in ("disable", "enable"):
        accounts.set_disabled(email, what == "disable", actor=actor)
    elif what == "reset":
        accounts.reset(email, form.text("password", "form.new_password"), actor=actor)
    elif what == "unlock":
        accounts.record_unlock(email, actor=actor)
    return normal_email(email)


# After these, the account's failed sign-ins are forgotten by the login throttle too.
CLEARS_FAILED_SIGN_INS = ("reset", "unlock")
