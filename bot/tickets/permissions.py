"""Who may work tickets, whichever channel they act from: the role rules, checked in one place.

The request service calls `check` for every change it records, inside the change's transaction,
so a refusal rolls the whole change back. The acting person is the `actor` the channel passes:

- `slack:U123 (Name)` or `teams:<Entra object id> (Name)`: a Slack or Teams user, who acts with
  the role of the console account they are linked to (bot.tickets.staff_links: by an admin in
  the console or with `privacybot staff link`, or automatically by the verified email address
  Slack or Teams holds for them). Unlinked, they can ask questions and log requests, but not
  work tickets.
- an email address with a console account: that account's role (the console checks it too).
- anything else: the server's operator on the command line, who already holds the database.

Refusing a request, exporting the request log and purging are for the `dpo` and `admin` roles
only, in every channel.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.content.wordbook import Wordbook
from bot.rules.lifecycle import Outcome, TicketError
from bot.storage.tables import StaffLink, StaffUser
from bot.tickets.staff_links import BadPlatformUser, normal_user_id

RECORD_KEEPER_ROLES = frozenset({"dpo", "admin"})
# Open to anyone who can reach the bot: logging a request, and the record that a ticket was read.
_OPEN_ACTIONS = frozenset({"logged", "viewed"})
_RECORD_KEEPER_ACTIONS = frozenset({"exported", "purged", "purged_transcripts"})
_PLATFORM_ACTOR = re.compile(r"(slack|teams):(\S+)")


class NotPermitted(TicketError):
    """The acting person may not do this; the message says why and what to do about it."""


# The role of the server's operator on the command line, who already holds the database.
OPERATOR = "operator"


def check(
    session: Session,
    actor: str,
    action: str,
    field: str | None,
    new: object,
    problems: Wordbook,
) -> None:
    """Raise NotPermitted unless `actor` may record `action` (setting `field` to `new`); the
    refusal is in the school's words (`problems`, from the service's ticket_problems.yaml)."""
    if action in _OPEN_ACTIONS:
        return
    role = role_of(session, actor)
    if role is None:
        platform = actor.strip().split(":", 1)[0]
        raise NotPermitted(problems.say("unlinked", platform=platform.title()))
    refusing = field == "outcome" and new == Outcome.REFUSED
    if (refusing or action in _RECORD_KEEPER_ACTIONS) and not _keeps_the_record(role):
        what = problems.say("refuse_a_request" if refusing else "do_this")
        raise NotPermitted(problems.say("record_keepers_only", what=what, role=role))


def may_refuse(session: Session, actor: str) -> bool:
    """Whether `actor` may close a request as refused: what a channel shows them to choose."""
    role = role_of(session, actor)
    return role is not None and _keeps_the_record(role)


def role_of(session: Session, actor: str) -> str | None:
    """The role `actor` acts with: their account's, or the linked account's for a Slack or
    Teams user (None when unlinked); OPERATOR for anyone else."""
    platform_user = _PLATFORM_ACTOR.match(actor.strip())
    if platform_user is not None:
        platform, user_id = platform_user.groups()
        return _linked_role(session, platform, user_id)
    role = session.scalar(select(StaffUser.role).where(StaffUser.email == actor.strip().lower()))
    return OPERATOR if role is None else role


def _keeps_the_record(role: str) -> bool:
    return role == OPERATOR or role in RECORD_KEEPER_ROLES


def _linked_role(session: Session, platform: str, user_id: str) -> str | None:
    try:
        user_id = normal_user_id(platform, user_id)
    except BadPlatformUser:
        return None
    return session.scalar(
        select(StaffUser.role)
        .join(StaffLink, StaffLink.staff_user_id == StaffUser.id)
        .where(
            StaffLink.platform == platform,
            StaffLink.platform_user_id == user_id,
            StaffUser.disabled.is_(False),
        )
    )
