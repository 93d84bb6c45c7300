"""Reading a Teams activity: what was said, by whom, in which conversation."""

from __future__ import annotations

from microsoft_agents.activity import Activity

from bot.teams.activities import actor, conversation_key, text_of, to_message
from bot.teams.replies import reply_activity
from bot.types import Audience, Channel, Choice, Reply

BOT = {"id": "28:bot-id", "name": "Privacy helpdesk"}
TEACHER = {"id": "29:alex", "name": "Alex Teacher", "aadObjectId": "5b1c2a3e-aaaa"}


def activity(**fields: object) -> Activity:
    values: dict[str, object] = {
        "type": "message",
        "id": "1700000000001",
        "channelId": "msteams",
        "serviceUrl": "https://smba.trafficmanager.net/uk/",
        "from": TEACHER,
        "recipient": BOT,
        "conversation": {
            "id": "19:general@thread.tacv2;messageid=1",
            "conversationType": "channel",
        },
    }
    values.update(fields)
    return Activity.model_validate(values)


def test_the_bots_mention_is_removed_and_other_mentions_become_names() -> None:
    said = activity(
        text="<at>Privacy helpdesk</at> can <at>Sam Head</at> see the SAR log?",
        entities=[{"type": "mention", "text": "<at>Privacy helpdesk</at>", "mentioned": BOT}],
    )
    assert text_of(said) == "can Sam Head see the SAR log?"


def test_a_pressed_button_sends_its_value_as_the_text() -> None:
    pressed = activity(text="Log this request", value={"choice": "request:sar"})
    assert text_of(pressed) == "request:sar"


def test_the_message_is_staff_wording_in_the_teams_users_name() -> None:
    message = to_message(activity(text="hello"))
    assert message.channel is Channel.TEAMS
    assert message.audience is Audience.STAFF
    assert message.user == "teams:5b1c2a3e-aaaa (Alex Teacher)" == actor(activity())
    assert message.source_id == f"{message.conversation_id}:1700000000001"


def test_long_teams_conversation_ids_fit_the_conversation_tables() -> None:
    long_id = "a:1" + "x" * 300
    key = conversation_key(long_id)
    assert len(key) <= 64
    assert key == conversation_key(long_id)
    assert key != conversation_key(long_id + "y")


def test_choices_become_buttons_that_send_their_value_back() -> None:
    reply = Reply("Which one?", choices=(Choice("Retention", "intent:retention"),))
    sent = reply_activity(reply)
    (attachment,) = sent.attachments
    (button,) = attachment.content["actions"]
    assert button["type"] == "Action.Submit"
    assert button["title"] == "Retention"
    assert button["data"]["choice"] == "intent:retention"
    assert button["data"]["msteams"] == {
        "type": "messageBack",
        "displayText": "Retention",
        "text": "intent:retention",
    }
