"""Where the shipped intents and answers live, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def packaged_content_dir(name: str) -> Path:
    """The shipped copy of `intents` or `answers`.

    A wheel carries them inside the package (bot/_content); an editable install or a checkout
    reads them from the top of the repository, where a school's data protection lead edits them.
    """
    inside_wheel = _PACKAGE_DIR / "_content" / name
    if inside_wheel.is_dir():
        return inside_wheel
    return _PACKAGE_DIR.parent / name
