"""Staff accounts: passwords, the growing lockout, disabling and resetting, all audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from bot.console.accounts import (
    FREE_ATTEMPTS,
    LONGEST_LOCK,
    AccountDisabled,
    AccountError,
    LockedOut,
    LoginFailed,
    Role,
    StaffAccounts,
    UnknownAccount,
    lock_for,
)
from bot.storage.engine import session_factory
from bot.storage.tables import AuditEvent, StaffUser
from tests.console.conftest import FAST_HASHER, PASSWORD


class UTCClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def utc_clock() -> UTCClock:
    return UTCClock()


@pytest.fixture
def accounts_on(engine: Engine, utc_clock: UTCClock) -> StaffAccounts:
    return StaffAccounts(session_factory(engine), hasher=FAST_HASHER, now=utc_clock)


def test_passwords_are_stored_only_as_argon2_hashes(
    accounts_on: StaffAccounts, engine: Engine
) -> None:
    accounts_on.add(" Office@School.example ", PASSWORD, Role.OFFICE, actor="head")
    with session_factory(engine).begin() as session:
        user = session.scalar(select(StaffUser))
        assert user is not None
        assert user.email == "office@school.example"
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
    member = accounts_on.authenticate("OFFICE@school.example", PASSWORD)
    assert (member.email, member.role) == ("office@school.example", Role.OFFICE)


@pytest.mark.parametrize("password", ["short", "x" * 1025])
def test_a_password_too_short_or_absurdly_long_is_refused(
    accounts_on: StaffAccounts, password: str
) -> None:
    with pytest.raises(AccountError, match="password"):
        accounts_on.add("dpo@school.example", password, Role.DPO, actor="head")


def test_an_email_can_have_one_account(accounts_on: StaffAccounts) -> None:
    accounts_on.add("dpo@school.example", PASSWORD, Role.DPO, actor="head")
    with pytest.raises(AccountError, match="already has an account"):
        accounts_on.add("DPO@school.example", PASSWORD, Role.ADMIN, actor="head")


def test_the_lock_doubles_with_each_failure_up_to_an_hour() -> None:
    assert [lock_for(n) for n in range(1, FREE_ATTEMPTS)] == [None] * (FREE_ATTEMPTS - 1)
    locks = [lock_for(n) for n in range(FREE_ATTEMPTS, FREE_ATTEMPTS + 8)]
    assert locks[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert locks[-1] == LONGEST_LOCK
    assert lock_for(10_000) == LONGEST_LOCK


def test_failures_lock_the_account_for_longer_and_longer(
    accounts_on: StaffAccounts, utc_clock: UTCClock
) -> None:
    accounts_on.add("office@school.example", PASSWORD, Role.OFFICE, actor="head")
    for _ in range(FREE_ATTEMPTS - 1):
        with pytest.raises(LoginFailed) as failed:
            accounts_on.authenticate("office@school.example", "wrong password here")
        assert not isinstance(failed.value, LockedOut)
    with pytest.raises(LockedOut) as first:
        accounts_on.authenticate("office@school.example", "wrong password here")
    assert first.value.until == utc_clock.now + timedelta(minutes=1)
    # While locked even the right password is not checked.
    with pytest.raises(LockedOut):
        accounts_on.authenticate("office@school.example", PASSWORD)
    utc_clock.now += timedelta(minutes=1, seconds=1)
    with pytest.raises(LockedOut) as second:
        accounts_on.authenticate("office@school.example", "wrong password here")
    assert second.value.until == utc_clock.now + timedelta(minutes=2)
    utc_clock.now += timedelta(minutes=2, seconds=1)
    assert accounts_on.authenticate("office@school.example", PASSWORD).role is Role.OFFICE
    # A success wipes the slate: the next mistake is a free one again.
    with pytest.raises(LoginFailed) as again:
        accounts_on.authenticate("office@school.example", "wrong password here")
    assert not isinstance(again.value, LockedOut)


def test_a_reset_sets_a_new_password_lifts_the_lock_and_ends_sessions(
    accounts_on: StaffAccounts,
) -> None:
    before = accounts_on.add("office@school.example", PASSWORD, Role.OFFICE, actor="head")
    for _ in range(FREE_ATTEMPTS):
        with pytest.raises(LoginFailed):
            accounts_on.authenticate("office@school.example", "wrong password here")
    after = accounts_on.reset("office@school.example", "a new long passphrase", actor="head")
    assert accounts_on.current(before.email, before.fingerprint) is None
    assert accounts_on.current(after.email, after.fingerprint) == after
    assert accounts_on.authenticate("office@school.example", "a new long passphrase") == after
    with pytest.raises(LoginFailed):
        accounts_on.authenticate("office@school.example", PASSWORD)


def test_a_disabled_account_keeps_its_password_but_cannot_log_in(
    accounts_on: StaffAccounts,
) -> None:
    member = accounts_on.add("dpo@school.example", PASSWORD, Role.DPO, actor="head")
    accounts_on.set_disabled("dpo@school.example", True, actor="head")
    with pytest.raises(AccountDisabled):
        accounts_on.authenticate("dpo@school.example", PASSWORD)
    assert accounts_on.current(member.email, member.fingerprint) is None
    accounts_on.set_disabled("dpo@school.example", False, actor="head")
    assert accounts_on.authenticate("dpo@school.example", PASSWORD) == member


def test_changes_to_an_unknown_account_say_so(accounts_on: StaffAccounts) -> None:
    with pytest.raises(UnknownAccount, match=r"no account for ghost@school\.example"):
        accounts_on.set_disabled("ghost@school.example", True, actor="head")


def test_account_changes_are_in_the_audit_trail(accounts_on: StaffAccounts, engine: Engine) -> None:
    accounts_on.add("dpo@school.example", PASSWORD, Role.DPO, actor="head")
    accounts_on.set_disabled("dpo@school.example", True, actor="head")
    accounts_on.reset("dpo@school.example", "another long passphrase", actor="it")
    with session_factory(engine).begin() as session:
        events = session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.new_value).order_by(
                AuditEvent.id
            )
        ).all()
    assert [tuple(event) for event in events] == [
        ("head", "staff_added", "dpo@school.example (dpo)"),
        ("head", "staff_disabled", "dpo@school.example"),
        ("it", "staff_password_reset", "dpo@school.example"),
    ]
