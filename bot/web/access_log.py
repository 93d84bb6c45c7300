"""Keep conversation ids out of the server's access log.

Holding a conversation id is the only key to a parent's chat, and the hand-off polling URL
carries one in its path. uvicorn logs every path, so this filter blanks the id before the line
is written; the rest of the line (address, method, status) stays for the operator.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
_CONVERSATION_PATH = re.compile(r"(/api/conversations/)[^/?\s]+")
_HIDDEN = r"\1[conversation]"


class HideConversationIds(logging.Filter):
    """Rewrites the path argument of uvicorn's access-log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _CONVERSATION_PATH.sub(_HIDDEN, arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        elif isinstance(record.msg, str):
            record.msg = _CONVERSATION_PATH.sub(_HIDDEN, record.msg)
        return True


def hide_conversation_ids() -> None:
    """Install the filter once on uvicorn's access logger (which uvicorn configures later)."""
    access = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, HideConversationIds) for f in access.filters):
        access.addFilter(HideConversationIds())
