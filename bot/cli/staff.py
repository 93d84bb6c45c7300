"""`privacybot staff` (console accounts) and `privacybot reminders` (deadline notices)."""

from __future__ import annotations

import logging
import re
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Annotated

import typer

from bot.cli.common import By, Cli, fail, say
from bot.cli.reminder_targets import notifiers_from_settings
from bot.config import ConfigError
from bot.console.accounts import AccountError, Role, StaffAccounts, role_of
from bot.content.console_phrases import console_phrases
from bot.content.errors import ContentError
from bot.storage.engine import StorageUnavailable, ensure_schema, make_engine, session_factory
from bot.tickets.link_words import LinkWords
from bot.tickets.reminder_words import ReminderWords
from bot.tickets.reminders import Reminders
from bot.tickets.school import school_from_settings
from bot.tickets.service import RequestService
from bot.tickets.staff_links import LinkProblem, StaffLinks

log = logging.getLogger(__name__)

staff_app = typer.Typer(help="Office console accounts.", no_args_is_help=True)

Email = Annotated[str, typer.Argument(help="The member of staff's email address.")]
PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
]

_DURATION = re.compile(r"(?i)\s*(\d+)\s*([smhd])\s*")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


@contextmanager
def _accounts(cli: Cli) -> Iterator[StaffAccounts]:
    """The account service on the configured database; expected failures become one line."""
    try:
        engine = make_engine(cli.settings.resolved_database_url())
    except ConfigError as error:
        raise fail(str(error), 2) from error
    except StorageUnavailable as error:
        raise fail(str(error)) from error
    try:
        ensure_schema(engine)
        yield StaffAccounts(session_factory(engine))
    except AccountError as error:
        raise fail(_in_school_words(cli, error)) from error
    except StorageUnavailable as error:
        log.error("%s", error)
        raise fail(str(error)) from error
    finally:
        engine.dispose()


def _password(cli: Cli, from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise cli.refuse("staff.no_password")
        return line.rstrip("\r\n")
    value: str = typer.prompt(cli.text("staff.password"), hide_input=True, confirmation_prompt=True)
    return value


@staff_app.command("add")
def staff_add(
    email: Email,
    role: Annotated[str, typer.Option("--role", help="office, dpo or admin.")],
    password_stdin: PasswordStdin = False,
    by: By = None,
) -> None:
    """Create a console account (the password is asked for twice, or read with --password-stdin)."""
    cli = Cli.start()
    chosen = _role(cli, role)
    password = _password(cli, password_stdin)
    with _accounts(cli) as accounts:
        member = accounts.add(email, password, chosen, actor=cli.acting(by))
    cli.say("staff.added", email=member.email, role=member.role.value)


@staff_app.command("disable")
def staff_disable(email: Email, by: By = None) -> None:
    """Disable an account: it cannot log in, and its open sessions end."""
    cli = Cli.start()
    with _accounts(cli) as accounts:
        accounts.set_disabled(email, True, actor=cli.acting(by))
    cli.say("staff.disabled", email=email.strip().lower())


@staff_app.command("enable")
def staff_enable(email: Email, by: By = None) -> None:
    """Enable a disabled account again."""
    cli = Cli.start()
    with _accounts(cli) as accounts:
        accounts.set_disabled(email, False, actor=cli.acting(by))
    cli.say("staff.enabled", email=email.strip().lower())


@staff_app.command("role")
def staff_role(
    email: Email, role: Annotated[str, typer.Argument(help="office, dpo or admin.")], by: By = None
) -> None:
    """Give an account another role; its open sessions end, so the new role applies at once."""
    cli = Cli.start()
    chosen = _role(cli, role)
    with _accounts(cli) as accounts:
        member = accounts.set_role(email, chosen, actor=cli.acting(by))
    cli.say("staff.role", email=member.email, role=member.role.value)


@staff_app.command("link")
def staff_link(
    email: Email,
    slack_user: Annotated[
        str | None, typer.Option("--slack-user", help="The Slack member ID (U...).")
    ] = None,
    teams_user: Annotated[
        str | None,
        typer.Option("--teams-user", help="The Teams user's Microsoft Entra object ID."),
    ] = None,
    by: By = None,
) -> None:
    """Let a Slack or Teams user work tickets with this console account's role."""
    cli = Cli.start()
    chosen = [(p, u) for p, u in (("slack", slack_user), ("teams", teams_user)) if u]
    if not chosen:
        raise cli.refuse("staff.link_whom")
    with _accounts(cli) as accounts:
        links = StaffLinks(accounts.sessions)
        for platform, user_id in chosen:
            try:
                links.link(email, platform, user_id, actor=cli.acting(by))
            except LinkProblem as error:
                # The links page's words (answers/staff_links.yaml), so both say the same.
                try:
                    problem = LinkWords.load(cli.settings.answers_dir).problem_of(error)
                except ConfigError as missing:
                    raise fail(str(missing), 2) from error
                raise fail(problem, 1) from error
            user, whose = user_id.strip(), email.strip().lower()
            cli.say("staff.linked", platform=platform, user=user, email=whose)


@staff_app.command("reset")
def staff_reset(email: Email, password_stdin: PasswordStdin = False, by: By = None) -> None:
    """Set a new password and lift a lockout; the account's open sessions end."""
    cli = Cli.start()
    password = _password(cli, password_stdin)
    with _accounts(cli) as accounts:
        member = accounts.reset(email, password, actor=cli.acting(by))
    cli.say("staff.reset", email=member.email)


@staff_app.command("list")
def staff_list() -> None:
    """List the accounts, their roles and whether they can log in."""
    cli = Cli.start()
    with _accounts(cli) as accounts:
        views = accounts.accounts()
    if not views:
        cli.say("staff.none")
    for view in views:
        state = cli.text("staff.inactive" if view.disabled else "staff.active")
        last = (
            view.last_login_at.strftime("%Y-%m-%d %H:%M")
            if view.last_login_at
            else cli.text("staff.never")
        )
        role = view.role.value
        cli.say("staff.account", email=view.email, role=role, state=state, last=last)


def _role(cli: Cli, value: str) -> Role:
    try:
        return role_of(value)
    except AccountError as error:
        raise fail(_in_school_words(cli, error), 2) from error


def _in_school_words(cli: Cli, error: AccountError) -> str:
    """An account problem as the console says it (answers/console.yaml `accounts.*`)."""
    try:
        return error.say(console_phrases(cli.settings.answers_dir))
    except ContentError as missing:
        return str(missing)


def parse_duration(text: str) -> timedelta | None:
    """Parse 90s, 30m, 1h or 1d; None for anything else."""
    match = _DURATION.fullmatch(text)
    if match is None or int(match.group(1)) == 0:
        return None
    return timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})


def reminders(
    every: Annotated[
        str | None,
        typer.Option("--every", help="Keep running, checking this often (e.g. 1h, 30m)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be sent; send and record nothing.")
    ] = False,
) -> None:
    """Send due-soon and overdue reminders to Slack, Teams and/or email, each once per ticket."""
    cli = Cli.start()
    interval = parse_duration(every) if every else None
    if every and interval is None:
        raise cli.refuse("reminders.bad_every", value=repr(every))
    settings = cli.settings
    try:
        school = school_from_settings(settings)
        words = ReminderWords.load(school.answers_dir)
        requests = RequestService.from_settings(settings, school=school)
    except (ConfigError, ContentError) as error:
        raise fail(str(error), 2) from error
    except StorageUnavailable as error:
        raise fail(str(error)) from error
    try:
        notifiers = notifiers_from_settings(settings, requests)
    except ConfigError as error:
        requests.dispose()
        raise fail(str(error), 2) from error
    if not notifiers and not dry_run:
        requests.dispose()
        raise fail(
            "no reminder target is configured: set SLACK_BOT_TOKEN and SLACK_TRIAGE_CHANNEL, "
            "PRIVACYBOT_TEAMS_REMINDER_WEBHOOK_URL, or PRIVACYBOT_SMTP_HOST and "
            "PRIVACYBOT_REMINDER_EMAIL_TO",
            2,
        )
    service = Reminders(
        requests,
        notifiers,
        due_soon_days=settings.reminder_due_soon_days,
        link_base=settings.public_url,
        words=words,
    )
    stop = threading.Event()
    if interval is not None:
        # A platform stopping the worker sends SIGTERM: finish the run in hand, then leave.
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    failed = False
    try:
        while True:
            targets = [n.target for n in notifiers]
            failed = _run_once(cli, service, dry_run=dry_run, targets=targets)
            if interval is None or stop.wait(interval.total_seconds()):
                break
    except KeyboardInterrupt:
        pass
    finally:
        requests.dispose()
    if failed and interval is None:
        raise typer.Exit(1)


def _run_once(cli: Cli, service: Reminders, *, dry_run: bool, targets: list[str]) -> bool:
    """Run once and say what happened; return whether a target failed."""
    try:
        report = service.run(dry_run=dry_run)
    except StorageUnavailable as error:
        log.error("%s", error)
        cli.say("reminders.failed", error=error)
        return True
    if dry_run and not targets:
        cli.say("reminders.due_no_target", count=len(report.notices))
        for notice in report.notices:
            say(f"  {notice.reminder.value}: {service.words.line(notice)}")
    for target in targets:
        if target in report.failed:
            cli.say("reminders.not_sent", target=target, error=report.failed[target])
            continue
        sent = report.sent.get(target, [])
        done = "reminders.would_send" if dry_run else "reminders.sent"
        cli.say(done, target=target, count=len(sent))
        for notice in sent:
            say(f"  {notice.reminder.value}: {service.words.line(notice)}")
    return bool(report.failed)
