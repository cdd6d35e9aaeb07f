"""Shortcuts: the message shortcut "Raise a principle concern"."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.listeners.interactions import caller_of_action
from bot.listeners.submissions.concerns import open_concern_form
from bot.runtime import Runtime

RAISE_CONCERN = "raise_principle_concern"


def register(app: App, runtime: Runtime) -> None:
    @app.shortcut(RAISE_CONCERN)
    def raise_concern_from_message(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The concern form, linked to the thread of the message it was used on."""
        ack()
        message = body["message"]
        open_concern_form(
            runtime,
            client,
            trigger_id=body["trigger_id"],
            caller=caller_of_action(body),
            thread_ts=message.get("thread_ts") or message["ts"],
        )
