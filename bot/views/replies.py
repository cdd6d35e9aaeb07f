"""Ephemeral replies to the person who acted: confirmations, refusals, help."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.views import View

from bot.errors import ChangebotError, NotAllowed, UsageError
from bot.views.message import Message, blocks, context, mention, section
from bot.views.text import Limit, escape, plain


def confirmation(mrkdwn: str) -> Message:
    """A short confirmation; `mrkdwn` must already be safe."""
    return Message(text=mrkdwn, blocks=blocks(section(mrkdwn)))


def finished_form(title: str, outcome: Message) -> dict[str, Any]:
    """A submitted form turned into what came of it, seen only by the person who sent it."""
    view = View(
        type="modal", title=plain(title, Limit.MODAL_TITLE), close="Done", blocks=outcome.blocks
    )
    return view.to_dict()


def usage(usage_text: str) -> Message:
    return Message(text=usage_text, blocks=blocks(section(usage_text)))


def refusal(error: ChangebotError, *, forms: str | None = None) -> Message:
    """A domain error, told to the person who caused it, with what to do instead.

    `forms` is the usage of the subcommand that was typed: shown when a value in it
    was wrong or named nothing (stage 9 of 2), as a usage error shows its own (SPEC §6);
    not when the caller may not do it, which no form would change.
    """
    said = f":warning: {escape(error.message)}"
    if isinstance(error, NotAllowed) and error.ask:
        said += " Ask " + ", ".join(mention(user_id) for user_id in error.ask) + "."
    if isinstance(error, UsageError):
        usage: str | None = error.usage
    elif isinstance(error, NotAllowed):
        usage = None
    else:
        usage = forms
    shown = [section(said), context(usage)] if usage else [section(said)]
    return Message(text=said, blocks=blocks(*shown))


# What a form says under its field when it could not be saved: it stays open, as typed.
FAILED = "Sorry, something went wrong on our side and nothing was saved. Please send it again."
NOT_SAVED_YET = (
    "changebot is busy and could not save this in time, so nothing has been saved yet. "
    "Please send it again in a moment."
)


def failure() -> Message:
    text = (
        ":x: Sorry, something went wrong on our side and nothing was changed. "
        "Please try again in a minute."
    )
    return Message(text=text, blocks=blocks(section(text)))


def saved() -> Message:
    """A form sent again after it was saved: it was kept once, and is not saved twice."""
    return confirmation(":white_check_mark: This was saved already; it has not been saved twice.")
