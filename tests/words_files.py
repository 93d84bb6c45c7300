"""A school's own copy of the answers folder, and the edits tests make to its words files."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.content.location import packaged_content_dir


def copy_answers(folder: Path, name: str = "answers") -> Path:
    """A copy of the shipped answers folder in `folder`, for a test to reword."""
    copy = folder / name
    shutil.copytree(packaged_content_dir("answers"), copy)
    return copy


def reword(path: Path, old: str, new: str) -> None:
    """Replace `old`, which must be in the file, with `new`."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} has no {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def drop_lines(path: Path, prefix: str) -> None:
    """Take out every line that starts with `prefix` (there must be one)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith(prefix)]
    assert len(kept) < len(lines), f"{path.name} has no line starting {prefix!r}"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
