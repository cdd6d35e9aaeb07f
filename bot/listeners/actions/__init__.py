"""Button presses (block actions), one module per feature; each has `register(app, runtime)`."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.actions import checkins, concerns, signoff
from bot.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    signoff.register(app, runtime)
    checkins.register(app, runtime)
    concerns.register(app, runtime)
