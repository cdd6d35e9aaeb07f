"""What changebot says when someone @mentions it."""

from __future__ import annotations

from bot.parsing.checkin import CHECKIN
from bot.parsing.concern import CONCERN
from bot.parsing.feedback import FEEDBACK
from bot.parsing.plan import PLAN
from bot.parsing.principles import PRINCIPLES
from bot.parsing.stage import STAGE
from bot.views.message import Message, blocks, context, section

# Every command, in the order a new project meets them.
_COMMANDS = (PLAN, STAGE, FEEDBACK, PRINCIPLES, CONCERN, CHECKIN)


def introduction() -> Message:
    text = (
        ":wave: I'm changebot. I keep this project's action plan and celebrate every stage "
        "the partners finish. My commands:\n"
        + "\n".join(f"• `{forms.command}`: {forms.summary}" for forms in _COMMANDS)
        + "\nIn a thread, `@changebot concern N TEXT` raises a concern against principle N "
        "there (`/principles` lists them)."
    )
    return Message(
        text=text,
        blocks=blocks(section(text), context("Each command answers `help` with every form.")),
    )


def named_by_the_mention() -> Message:
    """For the writer alone: the card keeps an anonymous concern anonymous, but the mention
    that raised it is their own message, under their name."""
    text = (
        ":bust_in_silhouette: Your concern's card does not name you, but your mention does: "
        "Slack shows who wrote it. You can delete your message; the concern stays. Next time, "
        "`/concern` or the *Raise principle concern* shortcut raises one without your name."
    )
    return Message(text=text, blocks=blocks(section(text)))
