"""Shortcuts: the message shortcut "Raise a principle concern"."""

from __future__ import annotations

from slack_bolt import Ack, App, Respond

from bot.runtime import Runtime
from bot.views import replies

RAISE_CONCERN = "raise_principle_concern"


def register(app: App, _runtime: Runtime) -> None:
    @app.shortcut(RAISE_CONCERN)
    def raise_concern_from_message(ack: Ack, respond: Respond) -> None:
        ack()
        respond(
            response_type="ephemeral",
            **replies.confirmation(
                ":construction: Raising a principle concern from a message is not available in "
                "this version of changebot yet."
            ).payload(),
        )
