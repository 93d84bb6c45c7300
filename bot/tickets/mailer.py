"""Email to one person over the school's SMTP server (the settings reminders use)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from bot.config import Settings

# An SMTP server that does not answer within this long is treated as down; the letter stays
# failed for staff to see rather than holding a worker.
_TIMEOUT_SECONDS = 20.0


class MailFailed(Exception):
    """The message was not handed to the SMTP server; the text says why, without the body."""


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int
    security: str
    sender: str
    user: str | None = None
    password: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer | None:
        """The configured mailer, or None when PRIVACYBOT_SMTP_HOST is not set."""
        if not settings.smtp_host:
            return None
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            sender=settings.smtp_from or f"privacybot@{settings.smtp_host}",
            user=settings.smtp_user,
            password=password,
        )

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = self.sender
        message["To"] = to
        message.set_content(body)
        context = ssl.create_default_context()
        try:
            smtp = (
                smtplib.SMTP_SSL(self.host, self.port, timeout=_TIMEOUT_SECONDS, context=context)
                if self.security == "tls"
                else smtplib.SMTP(self.host, self.port, timeout=_TIMEOUT_SECONDS)
            )
            with smtp:
                if self.security == "starttls":
                    smtp.starttls(context=context)
                if self.user and self.password:
                    smtp.login(self.user, self.password)
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            raise MailFailed(f"{type(error).__name__}: {error}") from error
