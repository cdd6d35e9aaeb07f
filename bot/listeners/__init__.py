"""Thin Bolt listeners, grouped by what Slack sends; each folder has one `register(app)`.

`register_all` adds the one middleware (the runtime in `context`) and then
every folder's listeners; bot/listeners/surfaces.py says how each kind of
listener's work is run and answered.
"""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import actions, commands, events, shortcuts, submissions
from bot.listeners.context import provide_runtime
from bot.runtime import Runtime


def register_all(app: App, runtime: Runtime) -> None:
    app.middleware(provide_runtime(runtime))
    commands.register(app)
    events.register(app)
    shortcuts.register(app)
    actions.register(app)
    submissions.register(app)
