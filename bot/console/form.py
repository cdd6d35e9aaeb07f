"""A modal's input fields, asked one by one in the terminal and sent back in Slack's shape.

Slack's client fills `view.state.values` (block_id → action_id → value) with a shape that
differs by element type, and the app reads exactly that shape back. The console asks each
field as a question, turns the typed answer into that shape, and keeps Slack's own rules:
a required field cannot be left empty, and a field left alone keeps its initial value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.console.render import Block, Names, text_of

Value = dict[str, Any]

# Element types whose answer is typed as text and sent as `value`.
TEXT_INPUTS = frozenset({"plain_text_input", "number_input", "email_text_input", "url_text_input"})
# Element types that choose one option and send it as `selected_option`.
SINGLE_CHOICES = frozenset({"static_select", "radio_buttons"})
# The element that picks a channel (the forum for concerns, in the settings).
CHANNEL_PICKER = "conversations_select"
YES = frozenset({"y", "yes"})
NO = frozenset({"n", "no"})
_NUMBERS = re.compile(r"[\s,]+")
# A line of only this, in a field of several lines, starts its lines; another ends them.
LINES_FENCE = '"""'


class InvalidAnswer(ValueError):
    """The typed answer does not fit the field; the message says what would."""


@dataclass(frozen=True)
class Field:
    """One input block of a modal: where its value goes and what it accepts."""

    block_id: str
    label: str
    optional: bool
    element: Block

    @property
    def action_id(self) -> str:
        return str(self.element.get("action_id", ""))

    @property
    def kind(self) -> str:
        return str(self.element.get("type"))

    @property
    def multiline(self) -> bool:
        """A text field of several lines (a paste of dated values, say)."""
        return self.kind == "plain_text_input" and bool(self.element.get("multiline"))

    @property
    def options(self) -> list[Block]:
        return list(self.element.get("options") or [])

    def question(self, number: int, names: Names) -> str:
        """What to ask for this field, with the choices and what an empty answer does."""
        lines = [f"({number}) {self.label}{'' if self.optional else ' (required)'}"]
        choices = self.options if self.kind in _CHOOSING else []
        lines += [f"    {n}. {text_of(o['text'], names)}" for n, o in enumerate(choices, start=1)]
        lines.append(f"    {self._how()}")
        return "\n".join(lines)

    def _how(self) -> str:
        if self.kind in SINGLE_CHOICES:
            return f"type a number{self._empty()}"
        if self.kind == "checkboxes":
            how = "y or n" if len(self.options) == 1 else "the numbers to tick, e.g. 1 3"
            return f"{how}{self._empty()}"
        if self.kind == "datepicker":
            return f"a date, YYYY-MM-DD{self._empty()}"
        if self.kind == CHANNEL_PICKER:
            return f"a channel, as #name{self._empty()}"
        if self.multiline:
            return (
                f"type the text{self._empty()}; for several lines, {LINES_FENCE} on a line of "
                f"its own, the lines, then {LINES_FENCE} again"
            )
        if self.kind in TEXT_INPUTS:
            return f"type the text{self._empty()}"
        return f"the console cannot fill a {self.kind}: press Enter"

    def _empty(self) -> str:
        """What an empty answer does; nothing to say where it is refused (a required field)."""
        if not _is_empty(self.kept()):
            return "; empty keeps what is there"
        return "; empty leaves it blank" if self.optional else ""

    def kept(self) -> Value:
        """The value Slack sends for a field nobody touched: its initial value, if any."""
        element = self.element
        if self.kind in SINGLE_CHOICES:
            return self._value(selected_option=element.get("initial_option"))
        if self.kind == "checkboxes":
            return self._value(selected_options=list(element.get("initial_options") or []))
        if self.kind == "datepicker":
            return self._value(selected_date=element.get("initial_date"))
        if self.kind == CHANNEL_PICKER:
            return self._value(selected_conversation=element.get("initial_conversation"))
        if self.kind in TEXT_INPUTS:
            return self._value(value=element.get("initial_value"))
        return self._value()

    def answer(self, typed: str, names: Names | None = None) -> Value:
        """The state value for `typed`; InvalidAnswer when it does not fit the field.

        `names` is the workspace's directory, in which a channel typed as `#name` is found.
        """
        typed = typed.strip()
        value = self.kept() if not typed else self._parse(typed, names or Names())
        if not self.optional and _is_empty(value) and self.kind in _FILLABLE:
            raise InvalidAnswer(f"{self.label} is required.")
        return value

    def _parse(self, typed: str, names: Names) -> Value:
        if self.kind == CHANNEL_PICKER:
            return self._value(selected_conversation=_channel(typed, names))
        if self.kind in SINGLE_CHOICES:
            return self._value(selected_option=self._choose(typed))
        if self.kind == "checkboxes":
            return self._value(selected_options=self._tick(typed))
        if self.kind == "datepicker":
            return self._value(selected_date=_date(typed))
        if self.kind == "number_input":
            return self._value(value=_number(typed, self.element))
        if self.kind in TEXT_INPUTS:
            return self._value(value=typed)
        return self._value()

    def _choose(self, typed: str) -> Block:
        if not typed.isdigit() or not 1 <= int(typed) <= len(self.options):
            raise InvalidAnswer(f"Type a number from 1 to {len(self.options)}.")
        return self.options[int(typed) - 1]

    def _tick(self, typed: str) -> list[Block]:
        if len(self.options) == 1 and typed.lower() in YES | NO:
            return self.options if typed.lower() in YES else []
        return [self._choose(number) for number in _NUMBERS.split(typed) if number]

    def _value(self, **value: Any) -> Value:
        return {"type": self.kind, **value}


_CHOOSING = SINGLE_CHOICES | {"checkboxes"}
_FILLABLE = TEXT_INPUTS | _CHOOSING | {"datepicker", CHANNEL_PICKER}


def _channel(typed: str, names: Names) -> str:
    """The id of the channel typed as `#name`."""
    wanted = typed.removeprefix("#").lower()
    for channel_id, name in names.channels.items():
        if name.lower() == wanted:
            return channel_id
    known = ", ".join(f"#{name}" for name in names.channels.values())
    raise InvalidAnswer(f"There is no channel #{wanted} here; the channels are {known}.")


def fields(view: Block) -> list[Field]:
    """The view's input blocks, in order; a block without an id gets Slack's positional one."""
    return [
        Field(
            block_id=block.get("block_id") or f"block-{index}",
            label=str((block.get("label") or {}).get("text", "")),
            optional=bool(block.get("optional")),
            element=block.get("element") or {},
        )
        for index, block in enumerate(view.get("blocks") or [])
        if block.get("type") == "input"
    ]


def state_values(answers: Iterable[tuple[Field, Value]]) -> dict[str, dict[str, Value]]:
    """`view.state.values` as Slack sends it on submission: block_id → action_id → value."""
    values: dict[str, dict[str, Value]] = {}
    for answered, value in answers:
        values.setdefault(answered.block_id, {})[answered.action_id] = value
    return values


def _is_empty(value: Value) -> bool:
    return not any(item for key, item in value.items() if key != "type")


def _date(typed: str) -> str:
    try:
        return date.fromisoformat(typed).isoformat()
    except ValueError:
        raise InvalidAnswer(f"{typed!r} is not a date: type YYYY-MM-DD.") from None


def _number(typed: str, element: Block) -> str:
    """Slack's number input refuses what is not a number (or not whole, when it must be)."""
    pattern = r"-?\d+" if not element.get("is_decimal_allowed") else r"-?\d+(\.\d+)?"
    if not re.fullmatch(pattern, typed):
        raise InvalidAnswer(f"{typed!r} is not a number.")
    return typed
