"""Staff accounts: passwords, hashing outside transactions, disabling and resetting, audited."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select

from bot.console.accounts import (
    AccountDisabled,
    AccountError,
    LoginFailed,
    Role,
    StaffAccounts,
    UnknownAccount,
)
from bot.storage.engine import session_factory
from bot.storage.tables import AuditEvent, StaffLink, StaffUser
from tests.console.conftest import FAST_HASHER, PASSWORD
from tests.console.test_cli_console import privacybot
from tests.words_files import copy_answers, reword

HERE = "192.0.2.1"
TEAMS_USER = "0b1ec7ed-0000-4000-8000-000000000001"


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
    member = accounts_on.authenticate("OFFICE@school.example", PASSWORD, address=HERE)
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


def test_a_reset_sets_a_new_password(accounts_on: StaffAccounts) -> None:
    accounts_on.add("office@school.example", PASSWORD, Role.OFFICE, actor="head")
    after = accounts_on.reset("office@school.example", "a new long passphrase", actor="head")
    assert (
        accounts_on.authenticate("office@school.example", "a new long passphrase", address=HERE)
        == after
    )
    with pytest.raises(LoginFailed):
        accounts_on.authenticate("office@school.example", PASSWORD, address=HERE)


def test_no_transaction_is_open_while_a_password_is_hashed(engine: Engine) -> None:
    # On SQLite every transaction holds the one write lock: a login flood hashing inside one
    # stalled every parent's chat. Whatever hashes, nothing may be checked out of the pool.
    open_during_hash: list[int] = []

    class WatchedHasher(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            open_during_hash.append(engine.pool.checkedout())  # type: ignore[attr-defined]
            return super().verify(hash, password)

    watched = WatchedHasher(time_cost=1, memory_cost=1024, parallelism=1)
    accounts = StaffAccounts(session_factory(engine), hasher=watched)
    accounts.add("office@school.example", PASSWORD, Role.OFFICE, actor="head")
    accounts.authenticate("office@school.example", PASSWORD, address=HERE)
    with pytest.raises(LoginFailed):
        accounts.authenticate("office@school.example", "wrong password here", address=HERE)
    with pytest.raises(LoginFailed):
        accounts.authenticate("nobody@school.example", "wrong password here", address=HERE)
    assert open_during_hash == [0, 0, 0]


def test_a_disabled_account_keeps_its_password_but_cannot_log_in(
    accounts_on: StaffAccounts,
) -> None:
    member = accounts_on.add("dpo@school.example", PASSWORD, Role.DPO, actor="head")
    accounts_on.set_disabled("dpo@school.example", True, actor="head")
    with pytest.raises(AccountDisabled):
        accounts_on.authenticate("dpo@school.example", PASSWORD, address=HERE)
    accounts_on.set_disabled("dpo@school.example", False, actor="head")
    assert accounts_on.authenticate("dpo@school.example", PASSWORD, address=HERE) == member


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


def test_an_admin_links_slack_and_teams_users_and_changes_roles_from_the_command_line(
    accounts_on: StaffAccounts, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    accounts_on.add("dpo@school.example", PASSWORD, Role.OFFICE, actor="head")
    env = {"DATABASE_URL": database_url}
    linked = privacybot(
        ["staff", "link", "DPO@school.example", "--slack-user", "U123", "--teams-user", TEAMS_USER],
        tmp_path,
        env,
        "",
    )
    assert linked.returncode == 0, linked.stderr
    assert linked.stdout.splitlines() == [
        "linked slack user U123 to dpo@school.example",
        f"linked teams user {TEAMS_USER} to dpo@school.example",
    ]
    promoted = privacybot(["staff", "role", "dpo@school.example", "dpo"], tmp_path, env, "")
    assert promoted.returncode == 0, promoted.stderr
    assert promoted.stdout.strip() == "dpo@school.example is now dpo"
    with session_factory(engine).begin() as session:
        links = session.execute(select(StaffLink.platform, StaffLink.platform_user_id)).all()
        roles = session.scalars(select(StaffUser.role)).all()
    assert sorted(tuple(link) for link in links) == [("slack", "U123"), ("teams", TEAMS_USER)]
    assert roles == ["dpo"]
    unknown = privacybot(
        ["staff", "link", "x@school.example", "--slack-user", "U9"], tmp_path, env, ""
    )
    assert unknown.returncode == 1
    # In the links page's words (answers/staff_links.yaml).
    assert "There is no staff account for x@school.example." in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1
    nobody = privacybot(["staff", "link", "dpo@school.example"], tmp_path, env, "")
    assert nobody.returncode == 2


def test_the_staff_commands_refuse_in_the_schools_words(database_url: str, tmp_path: Path) -> None:
    answers = copy_answers(tmp_path)
    reword(
        answers / "console.yaml",
        'already_exists: "{email} already has an account"',
        'already_exists: "{email} has a console account already: use staff reset"',
    )
    env = {"DATABASE_URL": database_url, "PRIVACYBOT_ANSWERS_DIR": str(answers)}
    add = ["staff", "add", "clerk@school.example", "--role", "office", "--password-stdin"]
    assert privacybot(add, tmp_path, env, f"{PASSWORD}\n").returncode == 0
    again = privacybot(add, tmp_path, env, f"{PASSWORD}\n")
    assert again.returncode == 1
    assert "clerk@school.example has a console account already: use staff reset" in again.stderr
    bad_role = privacybot([*add[:3], "--role", "boss"], tmp_path, env, f"{PASSWORD}\n")
    assert bad_role.returncode == 2
    assert "'boss' is not a role; use one of: office, dpo, admin" in bad_role.stderr
