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


StageRequest = AddStage | ListStages | StartStage | CompleteStage | ReopenStage | ShowHelp

_TRAILING_OPTION = re.compile(r"\s+(due|owner)\s+(\S+)\s*$", re.IGNORECASE)


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
            due_on = iso_date(value)
            if due_on is None:
                raise InvalidInput(
                    f"`{to_plain(value)}` is not a date. Write due dates as YYYY-MM-DD, "
                    "for example `due 2027-03-31`."
                )
        else:
            owner_id = user_id_in(value)
            if owner_id is None:
                raise InvalidInput(
                    f"`{to_plain(value)}` is not a person. Name the owner with an @mention, "
                    "for example `owner @alex`."
                )
    plain_title = to_plain(title).strip()
    if not plain_title:
        raise STAGE.error("A stage needs a title.", form="add")
    return AddStage(title=plain_title, due_on=due_on, owner_id=owner_id)


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
