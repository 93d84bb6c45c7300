"""The layout rules of issue 11, checked on the code itself so they hold as the code grows.

Modules stay under 400 lines and functions under 60 (migrations are history and exempt); no module
imports another package's private names; the channels reach the ticket and chat tables only
through the stores that own them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"
MODULES = sorted(p for p in BOT.rglob("*.py") if "migrations" not in p.parts)
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
CHANNELS = ("web", "slack", "teams")
# The console's own tables (staff accounts and sessions, the audit trail's reader, unanswered
# questions) are kept by these console modules, each a store for that one table group.
CONSOLE_STORES = {
    "accounts.py",
    "staff_sessions.py",
    "audit_query.py",
    "unanswered.py",
    "feedback_figures.py",
    "staff_admin.py",
}


def _name(path: Path) -> str:
    return str(path.relative_to(BOT.parent))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_the_checks_see_the_whole_package() -> None:
    assert len(MODULES) > 150
    assert BOT / "tickets" / "service.py" in MODULES


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_module_is_over_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{_name(path)} has {lines} lines"


def test_no_function_is_over_60_lines() -> None:
    long = [
        f"{_name(path)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path in MODULES
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, long


def test_no_module_imports_another_packages_private_names() -> None:
    found = []
    for path in MODULES:
        package = path.parent
        for node in ast.walk(_tree(path)):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("bot."):
                continue
            source = BOT.parent / Path(*node.module.split("."))
            if source == package or source.parent == package:
                continue
            found += [
                f"{_name(path)}: {node.module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_")
            ]
    assert not found, found


def test_channels_reach_tables_only_through_stores() -> None:
    found = []
    for path in MODULES:
        area = path.relative_to(BOT).parts[0]
        if area not in (*CHANNELS, "console") or (
            area == "console" and path.name in CONSOLE_STORES
        ):
            continue
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "bot.storage.tables"
            ):
                found.append(f"{_name(path)}: {', '.join(a.name for a in node.names)}")
    assert not found, found
