"""The shared loopback SMTP server (tests/smtp.py), with its port and the chat's receipts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message

from tests.smtp import Inbox as Received
from tests.smtp import smtp_server


@dataclass
class Inbox:
    received: Received
    port: int

    @property
    def messages(self) -> list[Message]:
        return self.received.messages

    def receipts(self) -> list[Message]:
        """The chat's "email me a copy" messages (acknowledgement letters also arrive here)."""
        return [m for m in self.messages if str(m["Subject"]).startswith("Your request to")]


@contextmanager
def smtp_inbox() -> Iterator[Inbox]:
    with smtp_server() as (received, port):
        yield Inbox(received, port)
