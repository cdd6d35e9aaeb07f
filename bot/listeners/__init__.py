"""Thin Bolt listeners, grouped by what Slack sends; each folder has `register(app, runtime)`."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import actions, commands, events, shortcuts, submissions
from bot.runtime import Runtime


def register_all(app: App, runtime: Runtime) -> None:
    events.register_deduplication(app, runtime)
    commands.register(app, runtime)
    events.register(app, runtime)
    shortcuts.register(app, runtime)
    actions.register(app, runtime)
    submissions.register(app, runtime)
