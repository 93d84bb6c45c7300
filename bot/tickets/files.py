"""Documents on a ticket, encrypted at rest under the data directory.

Each file is encrypted with Fernet (AES in CBC mode with an HMAC) under a key from the settings
(PRIVACYBOT_FILES_KEY, or one derived from the secret key), and stored under a random name, so a
copy of the disk or a backup shows neither what a file holds nor whose it is. Only documents a
school sends or receives in a request are accepted: PDF, images and office documents, recognised
by their first bytes as well as their name, up to a size limit. A file whose ticket is purged is
deleted by `sweep`, which the web app runs with its other background work.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.content.wordbook import Wordbook
from bot.rules.clock import london_now
from bot.storage.engine import transaction
from bot.storage.tables.requester import PurgedFile, TicketFile
from bot.tickets.messages import shipped_messages
from bot.tickets.service import InvalidChange, TicketNotFound
from bot.tickets.validation import find_ticket

MAX_BYTES = 20 * 1024 * 1024
# How many purged files one sweep transaction reads.
_SWEEP_BATCH = 500
# A file younger than this may be mid-upload (written, its row not yet committed): left alone.
_SETTLE_SECONDS = 600
# What a response or a proof of identity is: the name's ending and the bytes every such file
# starts with. Office documents are zip containers (docx, xlsx, odt share the signature).
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
}


@dataclass(frozen=True)
class StoredFile:
    id: int
    name: str
    content_type: str
    size: int
    source: str
    added_by: str
    added_at: datetime


def file_key(secret: str) -> bytes:
    """A Fernet key derived from a secret: the same secret always opens the same files."""
    digest = hashlib.sha256(b"privacybot files\x00" + secret.encode()).digest()
    return base64.urlsafe_b64encode(digest)


class Files:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        folder: Path,
        key: bytes,
        *,
        now: Callable[[], datetime] = london_now,
        problems: Wordbook | None = None,
    ) -> None:
        self._sessions, self._folder = sessions, folder
        self._fernet = Fernet(key)
        self._now = now
        self._folder_checked = False
        # Why a file was refused, in the school's words: the request service's ticket_problems.
        self._problems = problems or shipped_messages().problems

    def add(self, reference: str, name: str, data: bytes, *, source: str, actor: str) -> StoredFile:
        """Check, encrypt and keep `data` on the ticket; a refusal says what is wrong."""
        clean = PurePath(name.replace("\\", "/")).name.strip()[:200] or "document"
        suffix = PurePath(clean).suffix.lower()
        problems = self._problems
        if suffix not in ALLOWED:
            raise InvalidChange(problems.say("files.wrong_type", name=clean))
        content_type, signatures = ALLOWED[suffix]
        if not data.startswith(signatures):
            kind = suffix[1:].upper()
            raise InvalidChange(problems.say("files.not_really", name=clean, type=kind))
        if len(data) > MAX_BYTES:
            megabytes = MAX_BYTES // (1024 * 1024)
            raise InvalidChange(problems.say("files.too_big", name=clean, megabytes=megabytes))
        stored_as = secrets.token_hex(16)
        self._folder.mkdir(parents=True, exist_ok=True)
        path = self._folder / f"{stored_as}.bin"
        path.write_bytes(self._fernet.encrypt(data))
        try:
            with transaction(self._sessions) as session:
                ticket_id = self._ticket_id(session, reference)
                row = TicketFile(
                    ticket_id=ticket_id,
                    name=clean,
                    content_type=content_type,
                    size=len(data),
                    stored_as=stored_as,
                    source=source,
                    added_by=actor[:100],
                    added_at=self._now(),
                )
                session.add(row)
                session.flush()
                return _stored(row)
        except Exception:
            path.unlink(missing_ok=True)  # no row, no file: nothing left behind
            raise

    def of_ticket(self, reference: str) -> list[StoredFile]:
        with transaction(self._sessions) as session:
            rows = session.scalars(
                select(TicketFile)
                .where(TicketFile.ticket_id == self._ticket_id(session, reference))
                .order_by(TicketFile.id)
            ).all()
            return [_stored(row) for row in rows]

    def read(self, reference: str, file_id: int) -> tuple[StoredFile, bytes]:
        """A file of that ticket, decrypted; any other file is not found."""
        with transaction(self._sessions) as session:
            row = session.scalar(
                select(TicketFile).where(
                    TicketFile.id == file_id,
                    TicketFile.ticket_id == self._ticket_id(session, reference),
                )
            )
            if row is None:
                raise TicketNotFound(
                    self._problems.say("no_file", reference=reference, file=file_id)
                )
            stored = _stored(row)
            path = self._folder / f"{row.stored_as}.bin"
        try:
            return stored, self._fernet.decrypt(path.read_bytes())
        except (OSError, InvalidToken) as error:
            unreadable = self._problems.say("file_unreadable", reference=reference, file=file_id)
            raise TicketNotFound(unreadable) from error

    def _ticket_id(self, session: Session, reference: str) -> int:
        return find_ticket(session, reference, self._problems).id

    def sweep(self) -> int:
        """Delete the files of purged tickets; returns how many went.

        The purge lists each purged ticket's files (purged_files), so a round costs what is
        waiting, not what the folder holds. A process's first sweep also looks through the
        whole folder once, for files left by a crash between writing one and recording it, or
        purged before that list existed.
        """
        removed = 0
        if not self._folder_checked:
            removed += self._sweep_folder()
            self._folder_checked = True
        while True:
            with transaction(self._sessions) as session:
                names = list(session.scalars(select(PurgedFile.stored_as).limit(_SWEEP_BATCH)))
            if not names:
                return removed
            for name in names:
                removed += _remove(self._folder / f"{name}.bin")
            with transaction(self._sessions) as session:
                session.execute(delete(PurgedFile).where(PurgedFile.stored_as.in_(names)))

    def _sweep_folder(self) -> int:
        """Delete files no ticket has, except new ones: a file is written before its row."""
        if not self._folder.is_dir():
            return 0
        with transaction(self._sessions) as session:
            kept = set(session.scalars(select(TicketFile.stored_as)))
        settled = time.time() - _SETTLE_SECONDS
        return sum(
            _remove(path)
            for path in self._folder.glob("*.bin")
            if path.stem not in kept and _modified(path) < settled
        )


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return float("inf")  # gone already: nothing to remove


def _remove(path: Path) -> int:
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    return 1


def _stored(row: TicketFile) -> StoredFile:
    return StoredFile(
        id=row.id,
        name=row.name,
        content_type=row.content_type,
        size=row.size,
        source=row.source,
        added_by=row.added_by,
        added_at=row.added_at,
    )
