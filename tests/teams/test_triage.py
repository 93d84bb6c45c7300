"""New tickets reach the triage channel as cards; their buttons work the ticket and update them."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.app import create_app
from bot.config import Settings
from bot.rules.deadlines import TicketKind
from bot.rules.lifecycle import Outcome, Relationship, RequestChannel, Status
from bot.storage.engine import ensure_schema, make_engine, session_factory
from bot.storage.tables import AuditEvent
from bot.teams.triage_card import CLOSE_OUTCOME, CLOSE_REASON, EXTEND_REASON
from bot.tickets.service import NewRequest, RequestService, TicketFilter, TicketView
from tests.cli.test_requests import run
from tests.teams.conftest import TENANT, TRIAGE_CHANNEL, Call, FakeConnector, Person, send
from tests.words_files import copy_answers, reword


def log_request(service: RequestService, kind: TicketKind = TicketKind.SAR) -> TicketView:
    """A request logged elsewhere (the console, the CLI): only the audit trail tells Teams."""
    request = NewRequest(
        kind=kind,
        channel=RequestChannel.EMAIL,
        received_at=datetime.now(UTC),
        requester_name="Priya Shah",
        requester_contact="priya.shah@example.org",
        requester_relationship=Relationship.PARENT,
        subject_name="Arjun Shah",
        subject_is_child=True,
        request_text="Everything you hold on my son",
    )
    return service.log(request, actor="office")


def card_posted(connector: FakeConnector, reference: str) -> Call:
    return connector.wait_for(
        lambda c: (
            c.method == "POST"
            and c.path == f"/v3/conversations/{TRIAGE_CHANNEL}/activities"
            and reference in str(c.body)
        )
    )


def facts(card: dict[str, Any]) -> dict[str, str]:
    (fact_set,) = [block for block in card["body"] if block["type"] == "FactSet"]
    return {fact["title"]: fact["value"] for fact in fact_set["facts"]}


def find_action(card: dict[str, Any], title: str) -> dict[str, Any]:
    """A button, looking inside "Extend..." and "Close..." for the one that submits."""
    for action in card["actions"]:
        if action["title"] == title and action["type"] == "Action.Execute":
            return action
        for inner in action.get("card", {}).get("actions", []):
            if inner["title"] == title:
                return dict(inner)
    raise AssertionError(f"no {title!r} on the card")


def press(
    client: TestClient,
    person: Person,
    card: dict[str, Any],
    message_id: str,
    title: str,
    conversation: str = TRIAGE_CHANNEL,
    **inputs: str,
) -> dict[str, Any]:
    """Press a button on the card `message_id` in Teams: an adaptiveCard/action invoke."""
    action = find_action(card, title)
    activity = person.activity(
        type="invoke",
        name="adaptiveCard/action",
        replyToId=message_id,
        value={
            "action": {
                "type": "Action.Execute",
                "verb": action["verb"],
                "data": {**action["data"], **inputs},
            },
            "trigger": "manual",
        },
    )
    activity["conversation"]["id"] = f"{conversation};messageid={message_id}"
    response = send(client, activity)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def staff(connector: FakeConnector) -> Person:
    return Person(connector, conversation_id=TRIAGE_CHANNEL, conversation_type="channel")


def test_a_new_ticket_is_posted_to_the_triage_channel_without_personal_details(
    client: TestClient, connector: FakeConnector, service: RequestService
) -> None:
    ticket = log_request(service)
    posted = card_posted(connector, ticket.reference)
    card = posted.card
    assert card["body"][0]["text"] == f"{ticket.reference}: subject access request"
    assert facts(card)["Status"] == "open"
    assert facts(card)["With"] == "nobody yet"
    assert "Priya" not in str(card)
    assert "Arjun" not in str(card)
    titles = [action["title"] for action in card["actions"]]
    assert titles == ["Take it", "ID requested", "Extend...", "Close..."]


def test_take_it_assigns_the_ticket_in_the_teams_users_name_and_updates_the_card(
    client: TestClient, connector: FakeConnector, service: RequestService, staff: Person
) -> None:
    ticket = log_request(service)
    posted = card_posted(connector, ticket.reference)
    answer = press(client, staff, posted.card, posted.answer_id, "Take it")
    assert answer["statusCode"] == 200
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert facts(answer["value"])["Status"] == "in progress"
    assert facts(answer["value"])["With"] == staff.name
    (now,) = service.list_tickets()
    assert now.status is Status.IN_PROGRESS
    assert now.assignee == staff.name
    with service.sessions() as session:
        actors = set(
            session.scalars(
                select(AuditEvent.actor).where(
                    AuditEvent.ticket_reference == ticket.reference,
                    AuditEvent.action == "assigned",
                )
            )
        )
    assert actors == {staff.actor()}
    # The card the channel keeps is updated in place, not posted again.
    update = connector.wait_for(
        lambda c: c.method == "PUT" and c.path.endswith(f"/activities/{posted.answer_id}")
    )
    assert facts(update.card)["With"] == staff.name
    assert len(connector.messages_to(TRIAGE_CHANNEL)) == 1


def test_id_requested_then_received_pauses_and_restarts_the_clock(
    client: TestClient, connector: FakeConnector, service: RequestService, staff: Person
) -> None:
    ticket = log_request(service)
    posted = card_posted(connector, ticket.reference)
    answer = press(client, staff, posted.card, posted.answer_id, "ID requested")
    assert facts(answer["value"])["Status"] == "awaiting id"
    assert "ID received" in [a["title"] for a in answer["value"]["actions"]]
    answer = press(client, staff, answer["value"], posted.answer_id, "ID received")
    assert facts(answer["value"])["Status"] == "in progress"
    (now,) = service.list_tickets()
    assert now.id_verified_by == staff.actor()


def test_extend_needs_its_reason_and_close_its_outcome(
    client: TestClient, connector: FakeConnector, service: RequestService, staff: Person
) -> None:
    ticket = log_request(service)
    posted = card_posted(connector, ticket.reference)
    refused = press(client, staff, posted.card, posted.answer_id, "Extend", **{EXTEND_REASON: "  "})
    assert refused["statusCode"] == 400
    assert "reason for the extension" in refused["value"]["message"]
    answer = press(
        client,
        staff,
        posted.card,
        posted.answer_id,
        "Extend",
        **{EXTEND_REASON: "Three requests at once"},
    )
    assert facts(answer["value"])["Extended"].startswith("yes")
    refused = press(
        client, staff, posted.card, posted.answer_id, "Close", **{CLOSE_OUTCOME: "refused"}
    )
    assert refused["statusCode"] == 400
    assert "needs its reason" in refused["value"]["message"]
    answer = press(
        client,
        staff,
        posted.card,
        posted.answer_id,
        "Close",
        **{CLOSE_OUTCOME: "complied", CLOSE_REASON: ""},
    )
    assert facts(answer["value"])["Status"] == "closed"
    assert answer["value"]["actions"] == []
    (closed,) = service.list_tickets(TicketFilter(include_closed=True))
    assert closed.outcome is Outcome.COMPLIED


def take_it_from_another_channel(
    client: TestClient, connector: FakeConnector, service: RequestService
) -> dict[str, Any]:
    """Log a request, then press its card's "Take it" from a channel that is not for triage."""
    ticket = log_request(service)
    posted = card_posted(connector, ticket.reference)
    general = "19:general@thread.tacv2"
    elsewhere = Person(connector, conversation_id=general, conversation_type="channel")
    return press(client, elsewhere, posted.card, posted.answer_id, "Take it", conversation=general)


def test_a_card_action_from_outside_the_triage_channel_is_refused(
    client: TestClient, connector: FakeConnector, service: RequestService
) -> None:
    answer = take_it_from_another_channel(client, connector, service)
    assert answer["statusCode"] == 403
    (still,) = service.list_tickets()
    assert still.assignee is None


def test_a_refused_press_tells_staff_why_in_the_schools_words(
    bot_settings: Settings, connector: FakeConnector, service: RequestService, tmp_path: Path
) -> None:
    answers = copy_answers(tmp_path)
    shipped = "Only the cards in the office's triage channel can change a request."
    reworded = "Please use the cards in the Data Requests channel."
    reword(answers / "triage.yaml", shipped, reworded)
    settings = bot_settings.model_copy(update={"answers_dir": answers})
    with TestClient(create_app(settings)) as client:
        answer = take_it_from_another_channel(client, connector, service)
    assert answer["statusCode"] == 403
    assert answer["value"]["message"] == reworded


def test_a_card_deleted_in_teams_is_posted_again_when_its_ticket_changes(
    client: TestClient, connector: FakeConnector, service: RequestService
) -> None:
    ticket = log_request(service)
    first = card_posted(connector, ticket.reference)
    connector.deleted.add(first.answer_id)
    service.assign(ticket.reference, "Sam Office", actor="console:sam@school.example")
    second = connector.wait_for(
        lambda c: c.method == "POST" and c is not first and ticket.reference in str(c.body)
    )
    assert facts(second.card)["With"] == "Sam Office"
    # The new card is the one kept up to date from now on.
    service.request_id(ticket.reference, actor="console:sam@school.example")
    update = connector.wait_for(
        lambda c: c.method == "PUT" and c.path.endswith(f"/activities/{second.answer_id}")
    )
    assert facts(update.card)["Status"] == "awaiting id"


def test_a_new_channel_gets_open_tickets_only_when_asked_and_only_once(
    database_url: str, tmp_path: Path, connector: FakeConnector, bot_settings: Any
) -> None:
    """History is not replayed into a new channel; `triage post-open` posts what is open, once."""
    engine = make_engine(database_url)
    ensure_schema(engine)
    service = RequestService(session_factory(engine))
    try:
        waiting = log_request(service)
        done = log_request(service)
        service.close(done.reference, Outcome.WITHDRAWN, actor="office")
    finally:
        service.dispose()
    env = {
        "DATABASE_URL": database_url,
        "TEAMS_ALLOW_ANONYMOUS": "1",
        "TEAMS_TENANT_ID": TENANT,
        "TEAMS_TRIAGE_CONVERSATION_ID": TRIAGE_CHANNEL,
        "TEAMS_SERVICE_URL": connector.url,
    }
    with TestClient(create_app(bot_settings)):
        time.sleep(0.5)  # several rounds of the feed: nothing from before it started is posted
    assert connector.messages_to(TRIAGE_CHANNEL) == []
    first = run(["triage", "post-open", "teams"], tmp_path, **env)
    assert first.returncode == 0, first.stderr
    assert "teams: posted 1 open tickets" in first.stdout
    again = run(["triage", "post-open", "teams"], tmp_path, **env)
    assert "teams: posted 0 open tickets" in again.stdout
    (card,) = connector.messages_to(TRIAGE_CHANNEL)
    assert waiting.reference in str(card.body)


@pytest.mark.parametrize(
    ("kind", "shown"),
    [
        (TicketKind.SAR, ["Take it", "ID requested", "Extend...", "Close..."]),
        # The law fixes a complaint's clock: no ID restart and no extension to offer.
        (TicketKind.COMPLAINT, ["Take it", "Close..."]),
    ],
)
def test_a_card_shows_only_the_buttons_the_rules_allow_for_its_kind(
    client: TestClient,
    connector: FakeConnector,
    service: RequestService,
    kind: TicketKind,
    shown: list[str],
) -> None:
    ticket = log_request(service, kind)
    posted = card_posted(connector, ticket.reference)
    assert [action["title"] for action in posted.card["actions"]] == shown
