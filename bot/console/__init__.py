"""The office console: staff sign in to triage tickets, see the figures and keep the request log."""

from bot.console.mount import mount_console

__all__ = ["mount_console"]
