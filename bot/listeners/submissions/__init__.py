"""Modal submissions (view_submission), one module per feature, each with `register`."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.submissions import checkins, concerns, feedback, principles
from bot.runtime import Runtime


def register(app: App, runtime: Runtime) -> None:
    """Each feature's modal module adds its `register` call here."""
    feedback.register(app, runtime)
    checkins.register(app, runtime)
    concerns.register(app, runtime)
    principles.register(app, runtime)
