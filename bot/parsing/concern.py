"""`/concern` text, and `@changebot concern N TEXT` mentions, into typed requests (SPEC §3)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import UsageError
from bot.parsing.forms import (
    CommandForms,
    Form,
    ShowHelp,
    split_subcommand,
    split_word,
    whole_number,
)
from bot.parsing.slack_text import to_plain

CONCERN = CommandForms(
    command="/concern",
    summary="concerns raised against an agreed principle",
    forms=(
        Form("N TEXT", "raise a concern against principle N; it gets its own thread"),
        Form("NAME: TEXT", "the same, naming the principle by the start of its title"),
        Form("list", "open and recent concerns"),
        Form("help", "this message"),
    ),
)

# The mention door, as the usage under a mistyped mention shows it.
MENTION_FORM = "`@changebot concern N TEXT` in a thread raises a concern against principle N there"
# A principle's name before a colon is at most a title's length (bot/services/principles.py).
_NAME_LENGTH = 150
# The colon that ends a principle's name: not one inside a time or a ratio (`at 10:30`).
_NAME_ENDS = re.compile(r"(?<!\d):|:(?!\d)")
# What reads as a number, right or wrong (`0`, `-1`, `#3`): never a principle's name.
_NUMBER_LIKE = re.compile(r"[#+-]?\d+([.,]\d*)?")

_LEADING_MENTIONS = re.compile(r"^(\s*<@[UW][A-Z0-9]+(?:\|[^<>]*)?>)+")


@dataclass(frozen=True)
class RaiseConcern:
    # Principle N, or the start of a principle's title (SPEC §3).
    number: int | str
    text: str


@dataclass(frozen=True)
class ListConcerns:
    pass


ConcernRequest = RaiseConcern | ListConcerns | ShowHelp


def parse_concern(text: str) -> ConcernRequest:
    word, rest = split_subcommand(text)
    if word in ("", "help"):
        return ShowHelp()
    if word == "list":
        return ListConcerns()
    meant = CONCERN.mistyped(word) if not rest else None
    if meant is not None:
        raise CONCERN.unknown(to_plain(word))
    return parse_raise(text)


def parse_raise(text: str) -> RaiseConcern:
    """`N TEXT` or `NAME: TEXT`: the principle, then what went wrong.

    Without a colon, a name is the first word (`/concern transparency The minutes…`).
    """
    first, rest = _principle_and_rest(text)
    if not first:
        raise CONCERN.missing_number("principle", form="N")
    if _NUMBER_LIKE.fullmatch(first) and whole_number(first) is None:
        raise CONCERN.error(f"`{to_plain(first)}` is not a principle number.", form="N")
    principle: int | str = whole_number(first) or to_plain(first).strip()
    description = to_plain(rest).strip()
    if not description:
        raise CONCERN.error(f"Say what the concern about principle {principle} is.", form="N")
    return RaiseConcern(number=principle, text=description)


def _principle_and_rest(text: str) -> tuple[str, str]:
    """The principle as typed (a number, or a name ending at a colon) and the text after it."""
    word, rest = split_word(text)
    # `5:` and `5.` (as `/principles` numbers them) name principle 5 as `5` does.
    word = word.rstrip(":.")
    if whole_number(word) is not None:
        return word, rest
    typed = text.strip()
    colon = _NAME_ENDS.search(typed)
    if colon:
        name, after = typed[: colon.start()].strip(), typed[colon.end() :].strip()
        if name and len(name) <= _NAME_LENGTH and "\n" not in name:
            return name, after
    return word, rest


def parse_mention(text: str) -> RaiseConcern | None:
    """A mention that raises a concern, or None for any other mention (which gets an introduction).

    The mention's leading `<@bot>` is dropped; `concern` must be the first word after it.
    """
    word, rest = split_subcommand(_LEADING_MENTIONS.sub("", text))
    if word != "concern":
        return None
    if rest.lower() == "help":
        raise UsageError(
            "To raise a concern here, name the principle and say what happened.",
            usage=MENTION_FORM,
        )
    if rest.lower() == "list":
        raise UsageError("`/concern list` lists the project's concerns.", usage=MENTION_FORM)
    try:
        return parse_raise(rest)
    except UsageError as error:
        raise UsageError(error.message, usage=MENTION_FORM) from error
