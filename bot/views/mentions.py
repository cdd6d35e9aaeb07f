"""What changebot says when someone @mentions it."""

from __future__ import annotations

from bot.views.message import Message, blocks, context, section


def introduction() -> Message:
    text = (
        ":wave: I'm changebot. I keep this project's action plan and celebrate every stage "
        "the partners finish. Try `/stage add TITLE`, `/stage list` and `/stage done N OUTCOME`. "
        "In a thread, `@changebot concern N TEXT` raises a concern against principle N there "
        "(`/principles` lists them)."
    )
    return Message(
        text=text, blocks=blocks(section(text), context("`/stage help` shows every form."))
    )
