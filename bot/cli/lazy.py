"""A command group whose heavy subcommands are imported only when one of them is run.

`privacybot classify` is started once per batch of questions; it should not pay for SQLAlchemy,
FastAPI, uvicorn or the chat SDKs that the ticket, console and server commands import. `--help`
still lists every command: listing them imports them, which only help pays for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, ClassVar

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    # Recent Typer builds on its own copy of click; its types are the ones TyperGroup uses.
    from typer._click.core import Command, Context


class LazyGroup(TyperGroup):
    # Subclasses name each lazy subcommand's "module:attribute" (a function or a typer.Typer),
    # and the order `--help` lists every command in.
    lazy: ClassVar[dict[str, str]] = {}
    order: ClassVar[tuple[str, ...]] = ()

    def list_commands(self, ctx: Context) -> list[str]:
        names = dict.fromkeys([*self.order, *super().list_commands(ctx), *self.lazy])
        return list(names)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in self.lazy:
            return command
        module_name, _, attribute = self.lazy[cmd_name].partition(":")
        command = as_click_command(
            getattr(importlib.import_module(module_name), attribute), cmd_name
        )
        self.add_command(command, cmd_name)
        return command


def as_click_command(target: object, name: str) -> Command:
    """The click command for a typer.Typer (a group) or a plain command function."""
    if isinstance(target, typer.Typer):
        group = typer.main.get_group(target)
        group.name = name
        return group
    if not callable(target):
        raise TypeError(f"{name}: {target!r} is neither a typer.Typer nor a function")
    single = typer.Typer(add_completion=False)
    single.command(name)(target)
    return typer.main.get_command(single)
