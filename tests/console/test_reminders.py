"""Reminders reach Slack, Teams and email once each, across runs, restarts and failures."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, func, select

from bot.content.location import packaged_content_dir
from bot.rules.clock import LONDON
from bot.rules.deadlines import MAINTAINED, PauseReason
from bot.rules.lifecycle import allowed_actions
from bot.slack.reminders import SlackNotifier
from bot.storage.engine import session_factory
from bot.storage.tables import ReminderSent
from bot.teams.poster import ChannelPoster
from bot.teams.reminders import TeamsBotNotifier, TeamsWebhookNotifier
from bot.teams.sdk import connect
from bot.tickets.messages import shipped_messages
from bot.tickets.notices import Reminder, due_notices
from bot.tickets.reminder_words import ReminderWords
from bot.tickets.reminders import EmailNotifier, Notifier, Reminders
from bot.tickets.service import NewRequest, RequestService, TicketView
from tests.cli.test_requests import run
from tests.conftest import Clock
from tests.slack.fake_slack import FakeSlack, start_fake, stop_fake
from tests.smtp import Inbox, free_port
from tests.teams.conftest import TENANT, TRIAGE_CHANNEL, FakeConnector, teams_settings
from tests.teams.conftest import connector as connector  # the loopback Bot Connector

TRIAGE = "C0TRIAGE"
TOKEN = "xoxb-test-token"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = start_fake()
    try:
        yield fake
    finally:
        stop_fake(fake)


def notifiers(slack: FakeSlack, smtp_port: int) -> list[Notifier]:
    """Fresh notifier objects, as a new process would make them."""
    return [
        SlackNotifier(WebClient(token=TOKEN, base_url=slack.url), TRIAGE),
        EmailNotifier(
            host="127.0.0.1",
            port=smtp_port,
            security="none",
            sender="privacybot@school.example",
            recipients=["dpo@school.example", "office@school.example"],
        ),
    ]


def posted(slack: FakeSlack) -> list[str]:
    return [str(call.params["text"]) for call in slack.called("chat.postMessage")]


@pytest.fixture
def tickets(
    service: RequestService, clock: Clock, new_request: Callable[..., NewRequest]
) -> dict[str, TicketView]:
    """Tickets whose clocks stand differently on 3 March 2026 (the test clock's today)."""

    def log(days_ago: int) -> TicketView:
        received = clock.now - timedelta(days=days_ago)
        return service.log(new_request(received_at=received), actor="office")

    made = {
        "overdue": log(40),  # due early February
        "due_soon": log(26),  # received 5 Feb: due 5 March
        "later": log(3),  # due in April
        "paused": log(35),  # would be overdue, but the school awaits clarification
    }
    service.pause(made["paused"].reference, PauseReason.AWAITING_CLARIFICATION, actor="office")
    return made


def test_the_notices_are_chosen_by_the_clock(
    service: RequestService, clock: Clock, tickets: dict[str, TicketView]
) -> None:
    notices = due_notices(
        service.list_tickets(),
        clock.today,
        due_soon_days=5,
        link_base="https://bot.example",
        kind_label=service.messages.kind_label,
    )
    assert [(n.reminder, n.reference) for n in notices] == [
        (Reminder.OVERDUE, tickets["overdue"].reference),
        (Reminder.DUE_SOON, tickets["due_soon"].reference),
    ]
    assert notices[1].link == f"https://bot.example/console/tickets/{tickets['due_soon'].reference}"
    words = ReminderWords.load(packaged_content_dir("answers"))
    assert words.line(notices[1]) == (
        f"{tickets['due_soon'].reference} (subject access request): due Thu 5 Mar, in 2 days; "
        "nobody has taken it"
    )


def test_each_reminder_goes_to_slack_and_email_once_also_after_a_restart(
    service: RequestService,
    clock: Clock,
    tickets: dict[str, TicketView],
    slack: FakeSlack,
    smtp: tuple[Inbox, int],
) -> None:
    inbox, port = smtp
    first = Reminders(service, notifiers(slack, port), due_soon_days=5, now=clock).run()
    assert first.failed == {}
    (message,) = posted(slack)
    assert tickets["overdue"].reference in message
    assert tickets["due_soon"].reference in message
    assert tickets["later"].reference not in message
    assert tickets["paused"].reference not in message
    # The triage channel sees references, never who asked or about whom.
    assert "Priya" not in message
    assert "Arjun" not in message
    assert [call.params["channel"] for call in slack.called("chat.postMessage")] == [TRIAGE]
    (email,) = inbox.messages
    assert email["Subject"] == "Data protection requests: 1 overdue and 1 due soon"
    assert email["To"] == "dpo@school.example, office@school.example"
    body = email.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert tickets["overdue"].reference in body
    assert "Priya" not in body

    # Again, and after a "restart": new objects over the same database send nothing more.
    Reminders(service, notifiers(slack, port), due_soon_days=5, now=clock).run()
    restarted = RequestService(service.sessions, calendar=service.calendar, now=clock)
    Reminders(restarted, notifiers(slack, port), due_soon_days=5, now=clock).run()
    assert len(posted(slack)) == 1
    assert len(inbox.messages) == 1

    # Days later the due-soon ticket is overdue: that is a reminder of its own, sent once.
    clock.advance(days=3)
    Reminders(service, notifiers(slack, port), due_soon_days=5, now=clock).run()
    Reminders(service, notifiers(slack, port), due_soon_days=5, now=clock).run()
    assert len(posted(slack)) == 2
    assert tickets["due_soon"].reference in posted(slack)[1]
    assert "1 overdue" in posted(slack)[1]
    assert len(inbox.messages) == 2


def test_a_failed_send_is_given_back_and_retried_on_the_next_run(
    service: RequestService,
    clock: Clock,
    tickets: dict[str, TicketView],
    slack: FakeSlack,
    smtp: tuple[Inbox, int],
    engine: Engine,
) -> None:
    inbox, port = smtp
    slack.fail("chat.postMessage", error="channel_not_found")
    report = Reminders(service, notifiers(slack, port), due_soon_days=5, now=clock).run()
    assert "channel_not_found" in report.failed["slack"]
    assert posted(slack) == []
    assert len(inbox.messages) == 1  # email is unaffected by Slack's trouble
    with session_factory(engine).begin() as session:
        targets = session.scalars(select(ReminderSent.target)).all()
    assert sorted(targets) == ["email", "email"]

    retry = Reminders(service, notifiers(slack, port), due_soon_days=5, now=clock).run()
    assert retry.failed == {}
    assert len(posted(slack)) == 1
    assert len(inbox.messages) == 1


def test_an_unreachable_mail_server_is_retried_too(
    service: RequestService,
    clock: Clock,
    tickets: dict[str, TicketView],
    slack: FakeSlack,
    smtp: tuple[Inbox, int],
) -> None:
    inbox, port = smtp
    closed_port = free_port()
    report = Reminders(service, notifiers(slack, closed_port), due_soon_days=5, now=clock).run()
    assert "ConnectionRefusedError" in report.failed["email"]
    Reminders(service, notifiers(slack, port), due_soon_days=5, now=clock).run()
    assert len(inbox.messages) == 1
    assert len(posted(slack)) == 1


def test_a_dry_run_sends_and_records_nothing(
    service: RequestService,
    clock: Clock,
    tickets: dict[str, TicketView],
    slack: FakeSlack,
    smtp: tuple[Inbox, int],
    engine: Engine,
) -> None:
    inbox, port = smtp
    report = Reminders(service, notifiers(slack, port), due_soon_days=5, now=clock).run(
        dry_run=True
    )
    assert len(report.sent["slack"]) == 2
    assert posted(slack) == []
    assert inbox.messages == []
    with session_factory(engine).begin() as session:
        assert session.scalar(select(func.count()).select_from(ReminderSent)) == 0


def test_two_workers_at_once_still_send_each_reminder_once(
    service: RequestService,
    clock: Clock,
    tickets: dict[str, TicketView],
    slack: FakeSlack,
    smtp: tuple[Inbox, int],
) -> None:
    _, port = smtp
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            reminders = Reminders(service, notifiers(slack, port), due_soon_days=5, now=clock)
            start.wait()
            reminders.run()
        except BaseException as error:  # reported below, on the test's thread
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    text = "\n".join(posted(slack))
    assert text.count(tickets["overdue"].reference) == 1
    assert text.count(tickets["due_soon"].reference) == 1


def test_teams_gets_the_notices_through_its_webhook(
    service: RequestService, clock: Clock, tickets: dict[str, TicketView], slack: FakeSlack
) -> None:
    teams = TeamsWebhookNotifier(f"{slack.webhook_url}teams")
    Reminders(service, [teams], due_soon_days=5, now=clock).run()
    Reminders(service, [teams], due_soon_days=5, now=clock).run()
    (call,) = slack.called("webhook")
    assert tickets["overdue"].reference in call.params["text"]


def test_the_command_sends_once_across_processes(
    engine: Engine,
    database_url: str,
    tmp_path: Path,
    new_request: Callable[..., NewRequest],
    slack: FakeSlack,
    smtp: tuple[Inbox, int],
) -> None:
    inbox, port = smtp
    # The command runs on the real clock, so this ticket is received 40 real days ago.
    real = RequestService(session_factory(engine))
    ticket = real.log(
        new_request(received_at=datetime.now(LONDON) - timedelta(days=40)), actor="office"
    )
    env = {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": slack.url,
        "SLACK_TRIAGE_CHANNEL": TRIAGE,
        "PRIVACYBOT_SMTP_HOST": "127.0.0.1",
        "PRIVACYBOT_SMTP_PORT": str(port),
        "PRIVACYBOT_SMTP_SECURITY": "none",
        "PRIVACYBOT_REMINDER_EMAIL_TO": "dpo@school.example",
        "PRIVACYBOT_PUBLIC_URL": "https://privacy.school.example",
    }
    first = run(["reminders"], tmp_path, **env)
    assert first.returncode == 0, first.stderr
    assert "slack: sent 1 reminders" in first.stdout
    assert "email: sent 1 reminders" in first.stdout
    second = run(["reminders"], tmp_path, **env)
    assert "slack: sent 0 reminders" in second.stdout
    (message,) = posted(slack)
    assert f"<https://privacy.school.example/console/tickets/{ticket.reference}|" in message
    assert len(inbox.messages) == 1


def teams_bot(connector: FakeConnector, data_dir: Path, clock: Clock) -> TeamsBotNotifier:
    """A fresh notifier, as a new `privacybot reminders` process would make it."""
    settings = teams_settings(
        data_dir,
        teams_triage_conversation_id=TRIAGE_CHANNEL,
        teams_service_url=connector.url,
    )
    poster = ChannelPoster(
        connect(settings), service_url=connector.url, tenant_id=settings.teams_tenant_id
    )
    return TeamsBotNotifier(
        poster,
        TRIAGE_CHANNEL,
        lambda: clock.today,
        lambda ticket: allowed_actions(ticket.kind, ticket.status, MAINTAINED),
        shipped_messages(),
    )


def reminder_cards(connector: FakeConnector) -> list[dict[str, Any]]:
    return [call.card for call in connector.messages_to(TRIAGE_CHANNEL)]


def test_teams_gets_a_card_per_reminder_from_the_bot_once_across_a_restart(
    service: RequestService,
    clock: Clock,
    tickets: dict[str, TicketView],
    connector: FakeConnector,
    tmp_path: Path,
) -> None:
    first = Reminders(service, [teams_bot(connector, tmp_path, clock)], due_soon_days=5, now=clock)
    assert first.run().failed == {}
    restarted = RequestService(service.sessions, calendar=service.calendar, now=clock)
    Reminders(restarted, [teams_bot(connector, tmp_path, clock)], due_soon_days=5, now=clock).run()
    overdue, soon = reminder_cards(connector)
    assert tickets["overdue"].reference in overdue["body"][0]["text"]
    assert "overdue" in overdue["body"][0]["text"]
    assert tickets["due_soon"].reference in soon["body"][0]["text"]
    # The ticket's own buttons, the same verbs the triage cards send to the running bot.
    verbs = [a.get("verb") or a["card"]["actions"][0]["verb"] for a in overdue["actions"]]
    assert verbs == ["assign", "request-id", "extend", "close"]
    assert "Priya" not in str(overdue)


def test_the_command_posts_teams_cards_once_across_processes(
    engine: Engine,
    database_url: str,
    tmp_path: Path,
    new_request: Callable[..., NewRequest],
    connector: FakeConnector,
) -> None:
    real = RequestService(session_factory(engine))
    ticket = real.log(
        new_request(received_at=datetime.now(LONDON) - timedelta(days=40)), actor="office"
    )
    env = {
        "DATABASE_URL": database_url,
        "TEAMS_ALLOW_ANONYMOUS": "1",
        "TEAMS_TENANT_ID": TENANT,
        "TEAMS_TRIAGE_CONVERSATION_ID": TRIAGE_CHANNEL,
        "TEAMS_SERVICE_URL": connector.url,
        "PRIVACYBOT_PUBLIC_URL": "https://privacy.school.example",
    }
    first = run(["reminders"], tmp_path, **env)
    assert first.returncode == 0, first.stderr
    assert "teams: sent 1 reminders" in first.stdout
    second = run(["reminders"], tmp_path, **env)
    assert "teams: sent 0 reminders" in second.stdout
    (card,) = reminder_cards(connector)
    assert ticket.reference in card["body"][0]["text"]
    link = f"https://privacy.school.example/console/tickets/{ticket.reference}"
    assert {"type": "Action.OpenUrl", "title": "Open in the console", "url": link} in card[
        "actions"
    ]


def test_a_teams_failure_part_way_sends_the_rest_next_time_and_nothing_twice(
    service: RequestService,
    clock: Clock,
    tickets: dict[str, TicketView],
    connector: FakeConnector,
    tmp_path: Path,
) -> None:
    connector.posts_before_down = 1  # the first card goes out, then Teams is unreachable
    report = Reminders(
        service, [teams_bot(connector, tmp_path, clock)], due_soon_days=5, now=clock
    ).run()
    assert "Teams cannot take the card" in report.failed["teams"]
    assert [n.reference for n in report.sent["teams"]] == [tickets["overdue"].reference]
    connector.posts_before_down = None
    connector.down = False
    Reminders(service, [teams_bot(connector, tmp_path, clock)], due_soon_days=5, now=clock).run()
    headings = [card["body"][0]["text"] for card in reminder_cards(connector)]
    assert len(headings) == 2
    assert tickets["overdue"].reference in headings[0]
    assert tickets["due_soon"].reference in headings[1]


def test_reminders_speak_the_schools_words(
    service: RequestService,
    clock: Clock,
    tickets: dict[str, TicketView],
    slack: FakeSlack,
    smtp: tuple[Inbox, int],
    tmp_path: Path,
) -> None:
    inbox, port = smtp
    answers = tmp_path / "answers"
    shutil.copytree(packaged_content_dir("answers"), answers)
    reminders = answers / "reminders.yaml"
    text = reminders.read_text(encoding="utf-8")
    text = text.replace('summary: "Data protection requests: {counts}"', 'summary: "DP: {counts}"')
    reminders.write_text(text.replace("unassigned: nobody has taken it", "unassigned: unowned"))
    words = ReminderWords.load(answers)

    Reminders(service, notifiers(slack, port), due_soon_days=5, now=clock, words=words).run()

    (email,) = inbox.messages
    assert email["Subject"] == "DP: 1 overdue and 1 due soon"
    assert "; unowned" in email.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "; unowned" in posted(slack)[0]
