"""Staff ask in Teams and get the staff wording; a personal chat can log a request."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.rules.lifecycle import RequestChannel, Status
from bot.tickets.service import RequestService
from tests.teams.conftest import BOT, TRIAGE_CHANNEL, FakeConnector, Person, button, send

SAR_QUESTION = "a mum rang asking for a copy of everything we hold on her son, what do I do"


def ask(client: TestClient, connector: FakeConnector, person: Person, **fields: object) -> dict:
    """Send one activity and return the reply the bot posted for it."""
    activity = person.activity(**fields)
    response = send(client, activity)
    assert response.status_code == 202, response.text
    reply = connector.wait_for(lambda c: c.path.endswith(f"/activities/{activity['id']}"))
    assert reply.body["type"] == "message"
    body: dict = reply.body
    return body


def choose(
    client: TestClient, connector: FakeConnector, person: Person, reply: dict, label: str
) -> dict:
    """Press a button on the card under `reply`, as Teams sends it (messageBack)."""
    data = button(reply["attachments"][0]["content"], label)
    return ask(client, connector, person, text=data["msteams"]["text"], value=data)


def test_a_question_in_a_personal_chat_gets_the_staff_answer_and_buttons(
    client: TestClient, connector: FakeConnector
) -> None:
    person = Person(connector)
    reply = ask(client, connector, person, text=SAR_QUESTION)
    assert reply["textFormat"] == "markdown"
    assert "Log it for them straight away" in reply["text"]  # staff wording
    assert "I can log" not in reply["text"]  # the parents' offer
    assert reply["conversation"]["id"] == person.conversation_id
    card = reply["attachments"][0]["content"]
    assert [a["title"] for a in card["actions"]] == ["Log this request", "Not now"]
    assert all(a["type"] == "Action.Submit" for a in card["actions"])


def test_a_mention_in_a_channel_is_answered_in_its_thread(
    client: TestClient, connector: FakeConnector
) -> None:
    person = Person(
        connector,
        conversation_id="19:general@thread.tacv2;messageid=1700000000001",
        conversation_type="channel",
    )
    mention = {"type": "mention", "text": "<at>Privacy helpdesk</at>", "mentioned": BOT}
    reply = ask(
        client,
        connector,
        person,
        text=f"<at>Privacy helpdesk</at> {SAR_QUESTION}",
        entities=[mention],
    )
    assert "Log it for them straight away" in reply["text"]
    # A channel everyone reads is no place for a requester's details: no intake offered there.
    assert not reply.get("attachments")


def test_a_request_logged_in_a_personal_chat_is_a_ticket_in_the_teams_users_name(
    client: TestClient, connector: FakeConnector, service: RequestService
) -> None:
    person = Person(connector)
    reply = ask(client, connector, person, text=SAR_QUESTION)
    reply = choose(client, connector, person, reply, "Log this request")
    assert "name of the person making the request" in reply["text"]
    ask(client, connector, person, text="Dan Brown")
    ask(client, connector, person, text="parent")
    ask(client, connector, person, text="Lily Brown")
    ask(client, connector, person, text="07911 123456")
    reply = ask(client, connector, person, text="Her attendance and behaviour records")
    reply = choose(client, connector, person, reply, "Phone call")
    reply = choose(client, connector, person, reply, "Today")
    assert "Dan Brown" in reply["text"]
    reply = choose(client, connector, person, reply, "Yes, log it")
    assert "Logged:" in reply["text"]
    (ticket,) = service.list_tickets()
    assert ticket.reference in reply["text"]
    assert ticket.requester_name == "Dan Brown"
    assert ticket.channel is RequestChannel.PHONE
    assert ticket.status is Status.OPEN
    assert ticket.logged_by == person.actor()
    # ...and reaches the triage channel at once: logging it nudged the poster.
    card = connector.wait_for(lambda c: c.path == f"/v3/conversations/{TRIAGE_CHANNEL}/activities")
    assert ticket.reference in card.card["body"][0]["text"]


def test_teams_sending_a_message_twice_gets_one_answer(
    client: TestClient, connector: FakeConnector
) -> None:
    person = Person(connector)
    activity = person.activity(text="how long do you keep pupil records?")
    assert send(client, activity).status_code == 202
    assert send(client, activity).status_code == 202
    replies = [c for c in connector.calls if c.path.endswith(f"/activities/{activity['id']}")]
    assert len(replies) == 1


def test_someone_from_another_organisation_gets_no_answer(
    client: TestClient, connector: FakeConnector
) -> None:
    guest = Person(connector, tenant="0f0f0f0f-0000-4000-8000-000000000000")
    activity = guest.activity(text=SAR_QUESTION)
    assert send(client, activity).status_code == 202
    assert connector.messages_to(guest.conversation_id) == []


def test_adding_the_bot_for_yourself_gets_the_staff_greeting(
    client: TestClient, connector: FakeConnector
) -> None:
    person = Person(connector)
    activity = person.activity(type="conversationUpdate", membersAdded=[BOT])
    assert send(client, activity).status_code == 202
    (greeting,) = connector.messages_to(person.conversation_id)
    assert "privacy helpdesk for **West Borough School**" in greeting.body["text"]


def test_something_that_is_not_an_activity_is_refused(client: TestClient) -> None:
    response = send(client, {"text": "hello", "conversation": {"id": "a:1"}})
    assert response.status_code == 400
