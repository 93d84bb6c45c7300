"""The receipt endpoints: list a conversation's receipts, email one, show one to print."""

from __future__ import annotations

import logging

import jinja2
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from pydantic import BaseModel, Field

from bot.storage.engine import StorageUnavailable
from bot.tickets.mailer import MailFailed
from bot.tickets.receipt_store import AlreadySent, Receipt
from bot.web.api import Chat
from bot.web.errors import error_responses
from bot.web.guards import guarded_conversation, unavailable
from bot.web.receipts import Receipts
from bot.web.words import PageWords

log = logging.getLogger(__name__)


class ReceiptsAsked(BaseModel):
    conversation_id: str = Field(description="The signed id the conversation was started with.")


class ReceiptOut(BaseModel):
    reference: str
    kind: str = Field(description="The kind of request, in words.")
    url: str = Field(description="The printable receipt; only this conversation is given it.")
    email_to: str | None = Field(description="Where 'email me a copy' sends it, if it can.")
    emailed: bool = Field(description="Whether the copy has been emailed already (it goes once).")


class ReceiptList(BaseModel):
    receipts: list[ReceiptOut]


class EmailAsked(BaseModel):
    conversation_id: str = Field(description="The signed id the conversation was started with.")
    reference: str = Field(max_length=24, description="The logged request's reference.")


class Emailed(BaseModel):
    sent_to: str


def receipt_router(chat: Chat, receipts: Receipts, words: PageWords) -> APIRouter:
    router = APIRouter(tags=["chat"])

    @router.post(
        "/api/conversations/receipts",
        name="conversation_receipts",
        response_model=ReceiptList,
        responses=error_responses(400, 403, 413, 422, 429, 503),
    )
    async def listed(request: Request, asked: ReceiptsAsked) -> ReceiptList:
        """The requests logged in this conversation, each with its receipt."""
        conversation_id = await guarded_conversation(
            chat, request, asked.conversation_id, "receipts"
        )
        try:
            found = await run_in_threadpool(receipts.of_conversation, conversation_id)
        except StorageUnavailable as error:
            raise unavailable(chat) from error
        return ReceiptList(
            receipts=[
                _receipt_out(request, receipts, conversation_id, receipt, emailed)
                for receipt, emailed in found
            ]
        )

    @router.post(
        "/api/conversations/receipts/email",
        name="email_receipt",
        response_model=Emailed,
        responses=error_responses(400, 403, 404, 409, 413, 422, 429, 502, 503),
    )
    async def email(request: Request, asked: EmailAsked) -> Emailed:
        """Email the receipt to the address given in the request, once."""
        conversation_id = await guarded_conversation(
            chat, request, asked.conversation_id, "receipts"
        )
        try:
            receipt = await run_in_threadpool(receipts.find, conversation_id, asked.reference)
        except StorageUnavailable as error:
            raise unavailable(chat) from error
        if receipt is None:
            raise chat.problem(404, "no_receipt")
        if receipts.mailer is None or receipt.email is None:
            raise chat.problem(404, "no_email")
        subject = words.text["receipt_email_subject"].replace("{reference}", receipt.reference)
        try:
            await run_in_threadpool(receipts.email, receipt, subject)
        except AlreadySent as error:
            raise chat.problem(409, "already_sent") from error
        except MailFailed as error:
            log.error("receipt %s not emailed: %s", receipt.reference, error)
            raise chat.problem(502, "mail_failed") from error
        except StorageUnavailable as error:
            raise unavailable(chat) from error
        log.info("receipt %s emailed", receipt.reference)
        return Emailed(sent_to=receipt.email)

    return router


def _receipt_out(
    request: Request, receipts: Receipts, conversation_id: str, receipt: Receipt, emailed: bool
) -> ReceiptOut:
    """One logged request for the chat: its page's address, and whether a copy can be emailed."""
    token = receipts.token(conversation_id, receipt.reference)
    return ReceiptOut(
        reference=receipt.reference,
        kind=receipt.kind,
        url=request.url_for("receipt_page", token=token).path,
        email_to=receipt.email if receipts.mailer is not None else None,
        emailed=emailed,
    )


def receipt_page_router(
    chat: Chat, receipts: Receipts, words: PageWords, pages: jinja2.Environment
) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    page = pages.get_template("receipt.html")

    @router.get("/chat/receipts/{token}", name="receipt_page")
    async def printable(request: Request, token: str) -> HTMLResponse:
        opened = receipts.opened(token)
        try:
            receipt = None if opened is None else await run_in_threadpool(receipts.find, *opened)
        except StorageUnavailable as error:
            raise unavailable(chat) from error
        # A person follows this link: a wrong or expired one gets a page, not JSON.
        found = receipt is not None
        html = page.render(
            words=words.html,
            receipt_html=Markup(
                receipts.html(receipt) if receipt else f"<p>{words.html['receipt_missing']}</p>"
            ),
            reference=receipt.reference if receipt else None,
            icon_url=request.url_for("static", path="favicon.svg").path,
            css_url=request.url_for("static", path="receipt.css").path,
            js_url=request.url_for("static", path="receipt.js").path,
        )
        # A receipt holds what the person asked: never kept by a shared cache or the back button.
        return HTMLResponse(
            html, status_code=200 if found else 404, headers={"Cache-Control": "no-store"}
        )

    return router
