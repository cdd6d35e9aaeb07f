"""Slash commands: each module here defines one command's `COMMAND` handler.

The modules are found by looking, not listed: a new command is a parser, a
module here with its handler, a service, a view and its line in
manifest.yml (tests/test_manifest.py holds the manifest to what is found).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

from slack_bolt import App

from bot.listeners.surfaces import CommandHandler, command_listener


def _found() -> dict[str, CommandHandler[Any]]:
    handlers: dict[str, CommandHandler[Any]] = {}
    for module in pkgutil.iter_modules(__path__):
        handler = getattr(importlib.import_module(f"{__name__}.{module.name}"), "COMMAND", None)
        if isinstance(handler, CommandHandler):
            handlers[handler.forms.command] = handler
    return dict(sorted(handlers.items()))


# Slash command → handler, for every command module in this package.
COMMANDS: dict[str, CommandHandler[Any]] = _found()


def register(app: App) -> None:
    named = re.compile(r"\A(?:" + "|".join(re.escape(command) for command in COMMANDS) + r")\Z")
    app.command(named)(command_listener(COMMANDS))
