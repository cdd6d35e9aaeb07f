"""Slash commands: each manifest command maps to one handler here."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.listeners.commands.checkin import CHECKIN_COMMAND
from bot.listeners.commands.concern import CONCERN_COMMAND
from bot.listeners.commands.feedback import FEEDBACK_COMMAND
from bot.listeners.commands.plan import PLAN_COMMAND
from bot.listeners.commands.principles import PRINCIPLES_COMMAND
from bot.listeners.commands.runner import CommandHandler, CommandRunner
from bot.listeners.commands.stage import STAGE_COMMAND
from bot.runtime import Runtime

_ALL: tuple[CommandHandler[Any], ...] = (
    PLAN_COMMAND,
    STAGE_COMMAND,
    FEEDBACK_COMMAND,
    PRINCIPLES_COMMAND,
    CONCERN_COMMAND,
    CHECKIN_COMMAND,
)
# Slash command → handler; manifest.yml declares exactly these commands.
HANDLERS: dict[str, CommandHandler[Any]] = {handler.forms.command: handler for handler in _ALL}


def register(app: App, runtime: Runtime) -> None:
    runner = CommandRunner(runtime)
    for command, handler in HANDLERS.items():
        app.command(command)(runner.listener(handler))
