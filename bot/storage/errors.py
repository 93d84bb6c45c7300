"""The storage layer's failure, importable without SQLAlchemy: the conversation handler catches
it whether or not it has a database (`privacybot ask` and `classify` never load SQLAlchemy)."""

from __future__ import annotations


class StorageUnavailable(Exception):
    """The ticket database cannot be reached; the message is for operators (no personal data)."""
