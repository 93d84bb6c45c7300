"""The one error every reader of the school's content raises."""

from __future__ import annotations


class ContentError(Exception):
    """A content file is missing or malformed; the message names the file and the problem."""
