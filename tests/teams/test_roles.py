"""The role rules in Teams: only a Teams user linked to a console account works tickets."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.config import Settings
from bot.console.accounts import Role, StaffAccounts
from bot.rules.lifecycle import Outcome, Status
from bot.storage.engine import make_engine, session_factory
from bot.teams.triage_card import CLOSE_OUTCOME, CLOSE_REASON
from bot.tickets.service import RequestService
from bot.tickets.staff_links import StaffLinks
from tests.teams.conftest import QUICK_HASHER, TRIAGE_CHANNEL, FakeConnector, Person, link_staff
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


def add_account(settings: Settings, email: str, role: Role) -> None:
    engine = make_engine(settings.resolved_database_url())
    try:
        accounts = StaffAccounts(session_factory(engine), hasher=QUICK_HASHER)
        accounts.add(email, "a long enough passphrase", role, actor="test")
    finally:
        engine.dispose()


def newcomer(connector: FakeConnector) -> Person:
    return Person(
        connector,
        conversation_id=TRIAGE_CHANNEL,
        conversation_type="channel",
        aad_object_id="c0ffee00-0000-4000-8000-000000000042",
        name="Jo Newcomer",
        teams_id="29:jo",
    )


def test_a_teams_user_is_linked_by_the_address_in_the_schools_directory(
    client: TestClient, connector: FakeConnector, service: RequestService, bot_settings: Settings
) -> None:
    add_account(bot_settings, "jo.newcomer@school.example", Role.OFFICE)
    jo = newcomer(connector)
    connector.members[jo.teams_id] = jo.roster_entry(
        userPrincipalName="Jo.Newcomer@school.example", email="jo@mail.school.example"
    )
    ticket = log_request(service)
    posted = card_posted(connector, ticket.reference)
    answer = press(client, jo, posted.card, posted.answer_id, "Take it")
    assert answer["statusCode"] == 200, answer
    (taken,) = service.list_tickets()
    assert (taken.status, taken.assignee) == (Status.IN_PROGRESS, "Jo Newcomer")
    (link,) = [x for x in StaffLinks(service.sessions).links() if x.user_id == jo.aad_object_id]
    assert (link.user_id, link.email, link.linked_by) == (
        jo.aad_object_id,
        "jo.newcomer@school.example",
        "verified email",
    )


@pytest.mark.parametrize(
    "entry",
    [
        # A guest's address is the one they were invited with, typed by whoever invited them.
        {"userRole": "guest"},
        {"userRole": "anonymous"},
        # The roster's member must be the sender, from this school's tenant.
        {"aadObjectId": "0d5e0000-0000-4000-8000-00000000beef"},
        {"tenantId": "8a6f0000-0000-4000-8000-000000000000"},
    ],
)
def test_an_address_the_directory_does_not_vouch_for_links_nobody(
    client: TestClient,
    connector: FakeConnector,
    service: RequestService,
    bot_settings: Settings,
    entry: dict[str, str],
) -> None:
    add_account(bot_settings, "alex.teacher@school.example", Role.DPO)
    jo = newcomer(connector)
    connector.members[jo.teams_id] = jo.roster_entry(**entry)
    ticket = log_request(service)
    posted = card_posted(connector, ticket.reference)
    answer = press(client, jo, posted.card, posted.answer_id, "Take it")
    assert answer["statusCode"] == 400
    assert "link your Teams account" in answer["value"]["message"]
    assert jo.aad_object_id not in {link.user_id for link in StaffLinks(service.sessions).links()}
    (still,) = service.list_tickets()
    assert still.assignee is None


def test_a_teams_user_whose_link_an_admin_removed_is_not_linked_again(
    client: TestClient, connector: FakeConnector, service: RequestService, bot_settings: Settings
) -> None:
    add_account(bot_settings, "alex.teacher@school.example", Role.OFFICE)
    jo = newcomer(connector)
    connector.members[jo.teams_id] = jo.roster_entry()
    links = StaffLinks(service.sessions)
    links.link("alex.teacher@school.example", "teams", jo.aad_object_id, actor="admin")
    links.unlink("teams", jo.aad_object_id, actor="admin@school.example")
    ticket = log_request(service)
    posted = card_posted(connector, ticket.reference)
    answer = press(client, jo, posted.card, posted.answer_id, "Take it")
    assert answer["statusCode"] == 400
    assert "link your Teams account" in answer["value"]["message"]
