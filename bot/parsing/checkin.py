"""`/checkin` text into typed requests (SPEC §3), and numbers as people type them."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.errors import InvalidInput
from bot.parsing.forms import (
    CommandForms,
    Form,
    ShowHelp,
    iso_date,
    split_subcommand,
    whole_number,
)
from bot.parsing.schedule import ScheduleSpec, split_schedule
from bot.parsing.slack_text import to_plain
from storage.models import MeasureDirection

CHECKIN = CommandForms(
    command="/checkin",
    summary="evaluation check-ins and the service measures they collect",
    forms=(
        Form("schedule SCHEDULE [TITLE]", "schedule an evaluation check-in (lead)"),
        Form("list", "the measures, and the scheduled check-ins with ids and next run"),
        Form("cancel ID", "stop a check-in (lead)"),
        Form("pause ID", "hold a check-in for a while (lead)"),
        Form("resume ID", "start a held check-in again (lead)"),
        Form(
            "measure add NAME [unit U] [target T] [lower-is-better|neither]",
            "add a measure; higher is better unless you say otherwise (lead)",
        ),
        Form("measure list", "the measures with their direction, target, points and latest value"),
        Form(
            "measure data NAME",
            "a form to paste dated values, one `YYYY-MM-DD VALUE` a line (lead)",
        ),
        Form(
            "measure rebase NAME YYYY-MM-DD|none",
            "recalculate the chart's limits from that date, or stop doing so (lead)",
        ),
        Form("measure remove NAME", "remove a measure and its points, after a confirmation (lead)"),
        Form("report", "each measure over time against its target, shared in the channel"),
        Form("help", "this message"),
    ),
)

MEASURE_NAME_LENGTH = 100
UNIT_LENGTH = 30
CHECKIN_TITLE_LENGTH = 200

# 12 · -3.5 · 1,200 · 95% : what people type for a figure.
_NUMBER = re.compile(r"[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?|[-+]?\.\d+")
_DIRECTIONS = {
    "higher-is-better": MeasureDirection.HIGHER,
    "lower-is-better": MeasureDirection.LOWER,
    "neither": MeasureDirection.NEITHER,
}
_NO_REBASE = ("none", "off")
_ADD = "measure add"
_REBASE = "measure rebase"
# The options that take a value, each with an example of one.
_VALUED = {"unit": "unit minutes", "target": "target 14"}
_LIST_SHOWS_IDS = "`/checkin list` shows the ids."
_ONE_DIRECTION = (
    "Give one direction: `lower-is-better`, `neither`, or `higher-is-better` (the default)."
)


class ScheduleAction(StrEnum):
    CANCEL = "cancel"
    PAUSE = "pause"
    RESUME = "resume"


@dataclass(frozen=True)
class ScheduleCheckin:
    spec: ScheduleSpec
    title: str | None


@dataclass(frozen=True)
class ListCheckins:
    pass


@dataclass(frozen=True)
class ChangeCheckin:
    action: ScheduleAction
    schedule_id: int


@dataclass(frozen=True)
class AddMeasure:
    name: str
    unit: str | None = None
    target: float | None = None
    direction: MeasureDirection = MeasureDirection.HIGHER


@dataclass(frozen=True)
class ListMeasures:
    pass


@dataclass(frozen=True)
class PasteData:
    """Open the form to paste a measure's dated values."""

    name: str


@dataclass(frozen=True)
class RebaseMeasure:
    """Recalculate the limits from `on`; None removes the recalculation."""

    name: str
    on: date | None


@dataclass(frozen=True)
class RemoveMeasure:
    """Ask to confirm removing a measure and its points."""

    name: str


@dataclass(frozen=True)
class Report:
    pass


MeasureRequest = AddMeasure | ListMeasures | PasteData | RebaseMeasure | RemoveMeasure
CheckinRequest = ScheduleCheckin | ListCheckins | ChangeCheckin | MeasureRequest | Report | ShowHelp


def parse_checkin(text: str) -> CheckinRequest:
    word, rest = split_subcommand(text)
    if word in ("", "help"):
        return ShowHelp()
    if word == "schedule":
        return _parse_schedule(rest)
    if word == "list":
        return ListCheckins()
    if word == "report":
        return Report()
    if word == "measure":
        return _parse_measure(rest)
    if word in set(ScheduleAction):
        return ChangeCheckin(ScheduleAction(word), _schedule_id(rest, form=word))
    raise CHECKIN.unknown(to_plain(word))


def decimal_number(text: str) -> float | None:
    """A figure as people type it (`12`, `-3.5`, `1,200`, `95%`), or None if it is not one."""
    stripped = text.strip().removesuffix("%").strip()
    if not _NUMBER.fullmatch(stripped):
        return None
    value = float(stripped.replace(",", ""))
    return value if math.isfinite(value) else None


def _parse_schedule(rest: str) -> ScheduleCheckin:
    if not rest:
        raise CHECKIN.error("Say when the check-in runs.", form="schedule")
    spec, title = split_schedule(rest)
    plain_title = to_plain(title).strip()
    if len(plain_title) > CHECKIN_TITLE_LENGTH:
        raise InvalidInput(
            f"A check-in title has at most {CHECKIN_TITLE_LENGTH} characters; "
            f"this one has {len(plain_title):,}."
        )
    return ScheduleCheckin(spec, plain_title or None)


def _schedule_id(text: str, *, form: str) -> int:
    shown = to_plain(text.strip())
    if not shown:
        raise CHECKIN.error(f"Which check-in? Give its id; {_LIST_SHOWS_IDS}", form=form)
    number = whole_number(text)
    if number is None:
        raise CHECKIN.error(f"`{shown}` is not a check-in id; {_LIST_SHOWS_IDS}", form=form)
    return number


def _parse_measure(rest: str) -> MeasureRequest:
    word, details = split_subcommand(rest)
    if word == "add":
        return _parse_add_measure(details)
    if word == "list":
        return ListMeasures()
    if word == "data":
        return PasteData(_measure_name(to_plain(details).strip(), form="measure data"))
    if word == "rebase":
        return _parse_rebase(details)
    if word == "remove":
        return RemoveMeasure(_measure_name(to_plain(details).strip(), form="measure remove"))
    raise CHECKIN.error("`/checkin measure` takes `add`, `list`, `data`, `rebase` or `remove`.")


def _parse_add_measure(details: str) -> AddMeasure:
    words = to_plain(details).split()
    _refuse_an_option_without_its_value(words)
    options = _MeasureOptions()
    while words and options.take(words):
        pass
    name = _measure_name(" ".join(words), form=_ADD)
    return AddMeasure(name, options.unit, options.target, options.direction)


def _refuse_an_option_without_its_value(words: list[str]) -> None:
    """`Falls unit`: a value forgotten, not a name; one ending in the word takes an option after."""
    last = words[-1] if words else ""
    example = _VALUED.get(last.lower())
    if example is not None:
        raise CHECKIN.error(
            f"`{last}` needs a value: `{example}`. If the measure's name ends in “{last}”, "
            "put an option after it, such as `higher-is-better`.",
            form=_ADD,
        )


def _parse_rebase(details: str) -> RebaseMeasure:
    name, _, last = to_plain(details).strip().rpartition(" ")
    if last.lower() in _NO_REBASE:
        return RebaseMeasure(_measure_name(name.strip(), form=_REBASE), None)
    on = iso_date(last)
    if on is None:
        # A word with a digit in it was meant as the date; any other is the name, the date left out.
        meant = f"`{last}` is not a date. " if any(char.isdigit() for char in last) else ""
        raise CHECKIN.error(
            f"{meant}End with the first date of the new limits, as `YYYY-MM-DD`, or `none`.",
            form=_REBASE,
        )
    return RebaseMeasure(_measure_name(name.strip(), form=_REBASE), on)


def _measure_name(name: str, *, form: str) -> str:
    if not name:
        raise CHECKIN.error("Name the measure.", form=form)
    if len(name) > MEASURE_NAME_LENGTH:
        raise InvalidInput(f"A measure's name has at most {MEASURE_NAME_LENGTH} characters.")
    return name


class _MeasureOptions:
    """`unit U`, `target T` and a direction (`lower-is-better`, `neither`), peeled off the end
    of the words once each; a second direction is refused (a measure has one)."""

    def __init__(self) -> None:
        self.unit: str | None = None
        self.target: float | None = None
        self.direction = MeasureDirection.HIGHER
        self._seen: set[str] = set()

    def take(self, words: list[str]) -> bool:
        """Remove one option from the end of `words`; False when the end is part of the name."""
        last = words[-1].lower()
        if last in _DIRECTIONS:
            if "direction" in self._seen:
                raise CHECKIN.error(_ONE_DIRECTION, form=_ADD)
            self._seen.add("direction")
            self.direction = _DIRECTIONS[last]
            del words[-1:]
            return True
        option = words[-2].lower() if len(words) >= 2 else ""
        if option not in ("unit", "target") or option in self._seen:
            return False
        self._seen.add(option)
        if option == "unit":
            self.unit = self._unit(words[-1])
        else:
            self.target = self._target(words[-1])
        del words[-2:]
        return True

    @staticmethod
    def _unit(word: str) -> str:
        if len(word) > UNIT_LENGTH:
            raise InvalidInput(f"A unit has at most {UNIT_LENGTH} characters.")
        return word

    @staticmethod
    def _target(word: str) -> float:
        target = decimal_number(word)
        if target is None:
            raise InvalidInput(
                f"`{word}` is not a number. Write the target as a figure, for example `target 14`."
            )
        return target
