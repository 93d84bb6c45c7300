"""The role rules in Teams: only a Teams user linked to a console account works tickets."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.config import Settings
from bot.console.accounts import Role
from bot.rules.lifecycle import Outcome, Status
from bot.teams.triage_card import CLOSE_OUTCOME, CLOSE_REASON
from bot.tickets.service import RequestService
from tests.teams.conftest import TRIAGE_CHANNEL, FakeConnector, Person, link_staff
from tests.teams.test_triage import card_posted, log_request, press


def test_an_unlinked_teams_user_cannot_work_a_ticket(
    client: TestClient, connector: FakeConnector, service: RequestService
) -> None:
    ticket = log_request(service)
    posted = card_posted(connector, ticket.reference)
    stranger = Person(
        connector,
        conversation_id=TRIAGE_CHANNEL,
        conversation_type="channel",
        aad_object_id="0d5e0000-0000-4000-8000-00000000beef",
        name="Pat Visitor",
    )
    answer = press(client, stranger, posted.card, posted.answer_id, "Take it")
    assert answer["statusCode"] == 400
    assert "link your Teams account" in answer["value"]["message"]
    (still,) = service.list_tickets()
    assert (still.status, still.assignee) == (Status.OPEN, None)


def test_office_staff_cannot_refuse_from_teams(
    client: TestClient, connector: FakeConnector, service: RequestService, bot_settings: Settings
) -> None:
    office = Person(
        connector,
        conversation_id=TRIAGE_CHANNEL,
        conversation_type="channel",
        aad_object_id="0ff1ce00-0000-4000-8000-000000000001",
        name="Sam Office",
    )
    link_staff(bot_settings, office.aad_object_id, Role.OFFICE)
    ticket = log_request(service)
    posted = card_posted(connector, ticket.reference)
    answer = press(
        client,
        office,
        posted.card,
        posted.answer_id,
        "Close",
        **{CLOSE_OUTCOME: Outcome.REFUSED.value, CLOSE_REASON: "Manifestly excessive: weekly"},
    )
    assert answer["statusCode"] == 400
    assert "data protection lead" in answer["value"]["message"]
    (still,) = service.list_tickets()
    assert still.status is Status.OPEN
