"""The JSON the chat API takes and gives, as it appears in the OpenAPI schema."""

from __future__ import annotations

from pydantic import BaseModel, Field

from bot.content.markup import to_html
from bot.types import Reply
from bot.web.plain_text import PlainText


class ChoiceOut(BaseModel):
    label: str = Field(description="The button's text.")
    value: str = Field(description="Send this as the next message's text to choose it.")


class MatchOut(BaseModel):
    intent: str | None
    score: float
    example: str | None
    outcome: str = Field(description="answer, did_you_mean or fallback.")


class ReplyOut(BaseModel):
    text: str = Field(description="The reply in the bot's markdown subset.")
    html: str = Field(description="The same reply as HTML that is safe to insert into a page.")
    choices: list[ChoiceOut]
    ticket_reference: str | None = Field(description="Set when the reply logged a request.")
    match: MatchOut | None = Field(default=None, description="Why the bot answered as it did.")

    @classmethod
    def of(cls, reply: Reply) -> ReplyOut:
        match = reply.match
        return cls(
            text=reply.text,
            html=to_html(reply.text),
            choices=[ChoiceOut(label=c.label, value=c.value) for c in reply.choices],
            ticket_reference=reply.ticket_reference,
            match=None
            if match is None
            else MatchOut(
                intent=match.intent,
                score=match.score,
                example=match.example,
                outcome=match.outcome,
            ),
        )


class Started(BaseModel):
    conversation_id: str = Field(
        description="Signed and unguessable: send it with every message. Keep it private."
    )
    reply: ReplyOut


class MessageIn(BaseModel):
    conversation_id: str = Field(description="The id that starting the conversation returned.")
    text: PlainText = Field(description="What the person typed, or the value of a chosen button.")
    message_id: PlainText | None = Field(
        default=None,
        max_length=64,
        description="Chosen by the client, reused when it retries, so a retry is not done twice.",
    )


class Answered(BaseModel):
    reply: ReplyOut


class Health(BaseModel):
    status: str = Field(description="ok, or degraded when a helper service is down.")
    detail: str | None = Field(default=None, description="What is degraded, when it is.")
