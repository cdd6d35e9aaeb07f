"""Events API callbacks: each event type to its listener; manifest.yml subscribes to exactly these.

Every event is handled once (bot/listeners/surfaces.py `event`): its id is
recorded in the same transaction as what it changed, so a retry after a
failure is handled and a retry after a success is not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App

from bot.listeners.events import home, threads, workspace

# Event type → listener.
EVENT_LISTENERS: dict[str, Callable[..., Any]] = {
    "app_home_opened": home.publish_home,
    "app_mention": threads.answer_mention,
    "message": threads.keep_concern_history,
    "app_uninstalled": workspace.uninstalled,
    "tokens_revoked": workspace.tokens_revoked,
}


def register(app: App) -> None:
    for event_type, listener in EVENT_LISTENERS.items():
        app.event(event_type)(listener)
