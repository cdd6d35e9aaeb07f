"""`/concern` text, and `@changebot concern N TEXT` mentions, into typed requests (SPEC §3)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import UsageError
from bot.parsing.forms import CommandForms, Form, ShowHelp, split_subcommand, whole_number
from bot.parsing.slack_text import to_plain

CONCERN = CommandForms(
    command="/concern",
    summary="concerns raised against an agreed principle",
    forms=(
        Form("N TEXT", "raise a concern against principle N; it gets its own thread"),
        Form("list", "open and recent concerns"),
        Form("help", "this message"),
    ),
)

# The mention door, as the usage under a mistyped mention shows it.
MENTION_FORM = "`@changebot concern N TEXT` in a thread raises a concern against principle N there"

_LEADING_MENTIONS = re.compile(r"^(\s*<@[UW][A-Z0-9]+(?:\|[^<>]*)?>)+")


@dataclass(frozen=True)
class RaiseConcern:
    number: int
    text: str


@dataclass(frozen=True)
class ListConcerns:
    pass


ConcernRequest = RaiseConcern | ListConcerns | ShowHelp


def parse_concern(text: str) -> ConcernRequest:
    word, _ = split_subcommand(text)
    if word in ("", "help"):
        return ShowHelp()
    if word == "list":
        return ListConcerns()
    return parse_raise(text)


def parse_raise(text: str) -> RaiseConcern:
    """`N TEXT`: the principle's number, then what went wrong."""
    number_text, rest = split_subcommand(text)
    number = whole_number(number_text)
    if number is None:
        shown = to_plain(number_text) or "nothing"
        raise CONCERN.error(f"`{shown}` is not a principle number.", form="N")
    description = to_plain(rest).strip()
    if not description:
        raise CONCERN.error(f"Say what the concern about principle {number} is.", form="N")
    return RaiseConcern(number=number, text=description)


def parse_mention(text: str) -> RaiseConcern | None:
    """A mention that raises a concern, or None for any other mention (which gets an introduction).

    The mention's leading `<@bot>` is dropped; `concern` must be the first word after it.
    """
    word, rest = split_subcommand(_LEADING_MENTIONS.sub("", text))
    if word != "concern":
        return None
    try:
        return parse_raise(rest)
    except UsageError as error:
        raise UsageError(error.message, usage=MENTION_FORM) from error
