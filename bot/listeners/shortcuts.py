"""Shortcuts: the message shortcut "Raise principle concern" (its name in manifest.yml)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.listeners.actions.concerns import concern_form
from bot.listeners.context import Turn
from bot.listeners.surfaces import Reply, shortcut

RAISE_CONCERN = "raise_principle_concern"


@shortcut
def raise_concern_from_message(turn: Turn, body: dict[str, Any]) -> Reply:
    """The concern form, linked to the thread of the message it was used on."""
    message = body.get("message") or {}
    return concern_form(turn, thread_ts=message.get("thread_ts") or message.get("ts"))


def register(app: App) -> None:
    app.shortcut(RAISE_CONCERN)(raise_concern_from_message)
