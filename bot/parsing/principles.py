"""`/principles` text into typed requests (SPEC §3)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.parsing.forms import CommandForms, Form, ShowHelp, split_subcommand
from bot.parsing.schedule import ScheduleSpec, parse_schedule
from bot.parsing.slack_text import to_plain

PRINCIPLES = CommandForms(
    command="/principles",
    summary="the principles the partners agreed to work by",
    forms=(
        Form("", "the principles, numbered, with who has agreed them (or `list`)"),
        Form("agree", "record that you agree to the principles"),
        Form("remind SCHEDULE", "one principle in the channel each time, in turn (lead)"),
        Form("remind off", "stop the reminders (lead)"),
        Form("edit", "add, reword or remove principles in a form (lead)"),
        Form("help", "this message"),
    ),
)

_OFF = ("off", "stop", "cancel")


@dataclass(frozen=True)
class ShowPrinciples:
    pass


@dataclass(frozen=True)
class AgreePrinciples:
    pass


@dataclass(frozen=True)
class EditPrinciples:
    pass


@dataclass(frozen=True)
class StartReminders:
    spec: ScheduleSpec


@dataclass(frozen=True)
class StopReminders:
    pass


PrinciplesRequest = (
    ShowPrinciples | AgreePrinciples | EditPrinciples | StartReminders | StopReminders | ShowHelp
)


def parse_principles(text: str) -> PrinciplesRequest:
    word, rest = split_subcommand(text)
    # `list`, as every other command lists its things.
    if word in ("", "list"):
        return ShowPrinciples()
    if word == "help":
        return ShowHelp()
    if word == "agree":
        return AgreePrinciples()
    if word == "edit":
        return EditPrinciples()
    if word == "remind":
        return _parse_remind(rest)
    raise PRINCIPLES.unknown(to_plain(word))


def _parse_remind(rest: str) -> StartReminders | StopReminders:
    if rest.lower() in _OFF:
        return StopReminders()
    if not rest:
        raise PRINCIPLES.error("Say when the reminders should be posted.", form="remind")
    return StartReminders(parse_schedule(to_plain(rest)))
