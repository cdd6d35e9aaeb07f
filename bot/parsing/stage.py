"""`/stage` text into typed requests (SPEC §3)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.errors import InvalidInput
from bot.parsing.forms import CommandForms, Form, ShowHelp, iso_date, split_subcommand, whole_number
from bot.parsing.slack_text import to_plain, user_id_in

STAGE = CommandForms(
    command="/stage",
    summary="the stages of the action plan",
    forms=(
        Form("add TITLE [due YYYY-MM-DD] [owner @user]", "add a stage at the end of the plan"),
        Form("list", "the stages with status, owner and due date"),
        Form("start N", "mark stage N in progress"),
        Form("done N [OUTCOME]", "complete stage N and celebrate it in the channel"),
        Form("reopen N", "undo a completion"),
        Form(
            "edit N title TEXT|due YYYY-MM-DD|due none|owner @user|owner none",
            "correct a stage (its owner or a lead)",
        ),
        Form("move N M", "move stage N to position M; the others renumber (lead)"),
        Form("remove N", "remove a stage that is not done, after a confirmation (lead)"),
        Form("help", "this message"),
    ),
)


@dataclass(frozen=True)
class AddStage:
    title: str
    due_on: date | None
    owner_id: str | None


@dataclass(frozen=True)
class ListStages:
    pass


@dataclass(frozen=True)
class StartStage:
    number: int


@dataclass(frozen=True)
class CompleteStage:
    number: int
    outcome: str | None


@dataclass(frozen=True)
class ReopenStage:
    number: int


@dataclass(frozen=True)
class RetitleStage:
    number: int
    title: str


@dataclass(frozen=True)
class SetStageDue:
    number: int
    due_on: date | None


@dataclass(frozen=True)
class SetStageOwner:
    number: int
    owner_id: str | None


@dataclass(frozen=True)
class MoveStage:
    number: int
    to: int


@dataclass(frozen=True)
class RemoveStage:
    number: int


StageRequest = (
    AddStage
    | ListStages
    | StartStage
    | CompleteStage
    | ReopenStage
    | RetitleStage
    | SetStageDue
    | SetStageOwner
    | MoveStage
    | RemoveStage
    | ShowHelp
)

_TRAILING_OPTION = re.compile(r"\s+(due|owner)\s+(\S+)\s*$", re.IGNORECASE)
# `due` followed by words that name a day ("due next friday", "due 31/3"): a date in a
# form we do not read, which must not end up in the title.
_DAY_WORDS = (
    "next|this|tomorrow|today|tonight|end|mon|monday|tue|tues|tuesday|wed|wednesday|thu|thur|"
    "thurs|thursday|fri|friday|sat|saturday|sun|sunday|jan|january|feb|february|mar|march|"
    "apr|april|may|jun|june|jul|july|aug|august|sep|sept|september|oct|october|nov|november|"
    "dec|december"
)
_DUE_IN_WORDS = re.compile(
    rf"\sdue\s+(?P<when>(?:\d|in\s+\d|(?:{_DAY_WORDS})\b).*)$", re.IGNORECASE
)
_NONE = "none"


def parse_stage(text: str) -> StageRequest:
    word, rest = split_subcommand(text)
    if word in ("", "help"):
        return ShowHelp()
    if word == "add":
        return _parse_add(rest)
    if word == "list":
        return ListStages()
    if word == "start":
        return StartStage(_number(rest, form="start"))
    if word == "reopen":
        return ReopenStage(_number(rest, form="reopen"))
    if word == "done":
        number_text, _, outcome = rest.partition(" ")
        return CompleteStage(_number(number_text, form="done"), to_plain(outcome).strip() or None)
    if word == "edit":
        return _parse_edit(rest)
    if word == "move":
        return _parse_move(rest)
    if word == "remove":
        return RemoveStage(_number(rest, form="remove"))
    raise STAGE.unknown(to_plain(word))


def _number(text: str, *, form: str) -> int:
    if not text.strip():
        raise STAGE.missing_number("stage", form=form)
    number = whole_number(text)
    if number is None:
        raise STAGE.error(f"`{to_plain(text.strip())}` is not a stage number.", form=form)
    return number


def _parse_add(rest: str) -> AddStage:
    title, options = _split_options(rest)
    due_on = None
    owner_id = None
    for name, value in options:
        if name == "due":
            due_on = _due_date(value)
        else:
            owner_id = _owner(value)
    plain_title = to_plain(title).strip()
    if not plain_title:
        raise STAGE.error("A stage needs a title.", form="add")
    in_words = _DUE_IN_WORDS.search(" " + plain_title)
    if in_words is not None:
        raise STAGE.error(
            f"`{in_words.group('when')}` is not a date changebot reads, so it would end up in "
            "the title. Write due dates as YYYY-MM-DD, for example `due 2027-03-31`.",
            form="add",
        )
    return AddStage(title=plain_title, due_on=due_on, owner_id=owner_id)


def _due_date(value: str) -> date:
    due_on = iso_date(value)
    if due_on is None:
        raise InvalidInput(
            f"`{to_plain(value)}` is not a date. Write due dates as YYYY-MM-DD, "
            "for example `due 2027-03-31`."
        )
    return due_on


def _owner(value: str) -> str:
    owner_id = user_id_in(value)
    if owner_id is None:
        raise InvalidInput(
            f"`{to_plain(value)}` is not a person. Name the owner with an @mention, "
            "for example `owner @alex`."
        )
    return owner_id


def _parse_edit(rest: str) -> RetitleStage | SetStageDue | SetStageOwner:
    number_text, _, change = rest.partition(" ")
    number = _number(number_text, form="edit")
    field, _, value = change.strip().partition(" ")
    value = value.strip()
    if field.lower() == "title" and to_plain(value).strip():
        return RetitleStage(number, to_plain(value).strip())
    if field.lower() == "due" and value:
        return SetStageDue(number, None if value.lower() == _NONE else _due_date(value))
    if field.lower() == "owner" and value:
        return SetStageOwner(number, None if value.lower() == _NONE else _owner(value))
    raise STAGE.error(f"Say what to change in stage {number}.", form="edit")


def _parse_move(rest: str) -> MoveStage:
    number_text, _, to_text = rest.partition(" ")
    number = _number(number_text, form="move")
    if not to_text.strip():
        raise STAGE.missing_number("position", form="move")
    to = whole_number(to_text)
    if to is None:
        shown = to_plain(to_text.strip())
        raise STAGE.error(f"`{shown}` is not a position to move stage {number} to.", form="move")
    return MoveStage(number, to)


def _split_options(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Peel `due …` and `owner …` off the end of the text, in either order, once each."""
    options: list[tuple[str, str]] = []
    remaining = " " + text.strip()
    while len(options) < 2:
        match = _TRAILING_OPTION.search(remaining)
        if match is None or any(name == match.group(1).lower() for name, _ in options):
            break
        options.append((match.group(1).lower(), match.group(2)))
        remaining = remaining[: match.start()]
    return remaining.strip(), options
