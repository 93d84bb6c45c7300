"""Receipts for requests logged in the web chat: a printable page, and one copy by email.

Only the device holding the conversation's signed id can reach them: the page's address carries a
token signed over the conversation and the reference, handed out only to that device.
"""

from __future__ import annotations

import html
import re
import secrets
from datetime import date

from itsdangerous import BadSignature, Signer

from bot.content.answers import Answers
from bot.content.markup import to_html
from bot.tickets.mailer import Mailer
from bot.tickets.receipt_store import Receipt, ReceiptStore

RECEIPT_TEMPLATE = "_receipt"
_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


class Receipts:
    """Finds a conversation's logged requests and renders or emails their receipts."""

    def __init__(
        self, store: ReceiptStore, answers: Answers, secret: str, mailer: Mailer | None
    ) -> None:
        self._store = store
        self._answers = answers
        self._signer = Signer(secret, salt="privacybot.web.receipt")
        self.mailer = mailer

    def of_conversation(self, conversation_id: str) -> list[tuple[Receipt, bool]]:
        """Each request logged in the conversation, oldest first, and whether it was emailed."""
        return self._store.of_conversation(conversation_id)

    def find(self, conversation_id: str, reference: str) -> Receipt | None:
        """The receipt for `reference`, if it was logged in this conversation."""
        return self._store.find(conversation_id, reference)

    def token(self, conversation_id: str, reference: str) -> str:
        return self._signer.sign(f"{conversation_id}|{reference}").decode("ascii")

    def opened(self, token: str) -> tuple[str, str] | None:
        """The (conversation id, reference) inside a receipt token, or None if not ours."""
        try:
            conversation_id, _, reference = (
                self._signer.unsign(token).decode("ascii").partition("|")
            )
        except (BadSignature, UnicodeError):
            return None
        return conversation_id, reference

    def html(self, receipt: Receipt) -> str:
        """The receipt as safe HTML; the person's own words are inserted as text, never markup."""
        # A placeholder that no template or fact contains keeps their words out of the markdown.
        marker = f"REQUEST{secrets.token_hex(8)}"
        rendered = to_html(self._render(receipt, marker))
        return rendered.replace(marker, html.escape(receipt.request_text or receipt.kind))

    def plain_text(self, receipt: Receipt) -> str:
        """The receipt as a plain-text email body: bold marks dropped, links written out."""
        text = self._render(receipt, receipt.request_text or receipt.kind)
        text = _LINK.sub(lambda m: m.group(2).removeprefix("mailto:"), text)
        return text.replace("**", "") + "\n"

    def email(self, receipt: Receipt, subject: str) -> None:
        """Send the receipt to the requester once; AlreadySent if it went before.

        Claimed before sending, and the claim given back if sending fails, so the person can try
        again; MailFailed says why it failed.
        """
        assert self.mailer is not None
        assert receipt.email is not None
        self._store.claim_email(receipt.reference)
        try:
            self.mailer.send(receipt.email, subject, self.plain_text(receipt))
        except Exception:
            self._store.give_back_email(receipt.reference)
            raise

    def _render(self, receipt: Receipt, request_text: str) -> str:
        return self._answers.render(
            RECEIPT_TEMPLATE,
            reference=receipt.reference,
            kind_label=receipt.kind,
            request_text=request_text,
            received=long_date(receipt.received),
            due_date=long_date(receipt.due_date),
        )
