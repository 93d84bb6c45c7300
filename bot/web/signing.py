"""Web conversation ids: random, signed so that only the server can mint one, and expiring.

An id stops working when the transcript it leads to is due for deletion (the transcript
retention), so an old link or a copied id does not open anything for ever.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from itsdangerous import BadSignature, TimestampSigner

from bot.config import Settings

KEY_FILE = "secret_key"


class UnknownConversation(Exception):
    """A conversation id this server did not sign (forged, another key), or one that expired."""


class ConversationIds:
    """Mints and checks the ids a browser holds; holding one is the only way into a conversation."""

    def __init__(self, secret_key: str, *, lifetime: timedelta = timedelta(days=30)) -> None:
        self._signer = TimestampSigner(secret_key, salt="privacybot.web.conversation")
        self._max_age = int(lifetime.total_seconds())

    def mint(self) -> tuple[str, str]:
        """A new (conversation id, signed id handed to the browser) pair."""
        conversation_id = secrets.token_urlsafe(24)
        return conversation_id, self._signer.sign(conversation_id).decode("ascii")

    def open(self, signed: str) -> str:
        """The conversation id inside `signed`, or UnknownConversation."""
        try:
            return self._signer.unsign(signed, max_age=self._max_age).decode("ascii")
        except (BadSignature, UnicodeError) as error:  # SignatureExpired is a BadSignature
            raise UnknownConversation from error


def secret_key(settings: Settings) -> str:
    """The configured key, or the one kept in the data directory (made on first use)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    return _kept_key(settings.data_dir / KEY_FILE)


def _kept_key(path: Path) -> str:
    # Restarts and every worker must share one key, or ids handed out earlier stop working.
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as file:
        file.write(secrets.token_hex(32))
    try:
        # Linking a complete file is atomic: workers starting together all end up with the winner's.
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text(encoding="ascii").strip()
