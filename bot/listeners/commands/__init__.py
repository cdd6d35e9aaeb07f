"""Slash commands: each manifest command maps to one handler here."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.listeners.commands.runner import CommandHandler, CommandRunner
from bot.listeners.commands.stage import STAGE_COMMAND
from bot.listeners.commands.upcoming import UPCOMING_COMMANDS
from bot.runtime import Runtime

_ALL: tuple[CommandHandler[Any], ...] = (STAGE_COMMAND, *UPCOMING_COMMANDS)
# Slash command → handler; manifest.yml declares exactly these commands.
HANDLERS: dict[str, CommandHandler[Any]] = {handler.forms.command: handler for handler in _ALL}


def register(app: App, runtime: Runtime) -> None:
    runner = CommandRunner(runtime)
    for command, handler in HANDLERS.items():
        app.command(command)(runner.listener(handler))
