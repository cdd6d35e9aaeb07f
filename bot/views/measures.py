"""Measures in Block Kit: the list, the form to paste data (and its reader), rebase and removal."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, ConfirmObject
from slack_sdk.models.views import View

from bot.errors import InvalidInput
from bot.parsing.measure_data import PASTE_LENGTH, Point, parse_points
from bot.services.measures import MeasureSeries, Pasted
from bot.views.checkins import figure, measure_line
from bot.views.dates import day
from bot.views.inputs import Values, text_in, text_input
from bot.views.message import Message, blocks, section
from bot.views.replies import confirmation
from bot.views.text import counted, escape, plain
from storage.models import Measure

DATA_FORM = "measure_data_form"
DATA_FIELD = "measure_data"
REMOVE_MEASURE = "remove_measure"
MAX_LISTED = 40


def measure_list(series: list[MeasureSeries]) -> Message:
    """`/checkin measure list`: each measure's direction, target, points and latest value."""
    lines = [_listed(one) for one in series[:MAX_LISTED]] or [
        "No measures yet. A lead adds one with `/checkin measure add NAME`."
    ]
    return Message(text="Measures", blocks=blocks(section("*Measures*\n" + "\n".join(lines))))


def _listed(series: MeasureSeries) -> str:
    points = len(series.observations)
    said = f"• {measure_line(series.measure)} · {counted(points, 'point')}"
    latest = series.latest
    if latest is not None:
        said += f" · latest {figure(latest.value, series.measure.unit)} ({day(latest.day)})"
    if series.measure.recalculate_from is not None:
        said += f" · limits recalculated from {day(series.measure.recalculate_from)}"
    return said


def data_form(measure: Measure, metadata: str) -> dict[str, Any]:
    """One field for lines of `YYYY-MM-DD VALUE`, as many as fit in Slack's 3,000 characters."""
    hint = (
        "One line a point: a date as YYYY-MM-DD, then the value, with a comma, tab or spaces "
        "between. A date already held gets the new value. Longer histories go in several pastes."
    )
    view = View(
        type="modal",
        callback_id=DATA_FORM,
        title="Add data",
        submit="Store",
        close="Cancel",
        private_metadata=metadata,
        blocks=[
            section(f":straight_ruler: {measure_line(measure)}"),
            text_input(DATA_FIELD, "Dated values", hint=hint, max_length=PASTE_LENGTH),
        ],
    )
    return view.to_dict()


def read_data_form(values: Values) -> list[Point]:
    """The pasted points; a refusal (naming every bad line) is shown under the field."""
    try:
        return parse_points(text_in(values, DATA_FIELD))
    except InvalidInput as error:
        raise InvalidInput(error.message, field=DATA_FIELD) from error


def data_stored(pasted: Pasted) -> Message:
    text = (
        f":white_check_mark: *{escape(pasted.measure.name, 200)}*: "
        f"{_points(pasted.added)} added, {_points(pasted.replaced)} replaced."
    )
    return confirmation(text)


def rebased(series: MeasureSeries) -> Message:
    """What the rebase does to the chart: a date with no point on one side splits nothing yet."""
    measure, on = series.measure, series.measure.recalculate_from
    name = escape(measure.name, 200)
    if on is None:
        return confirmation(f":straight_ruler: *{name}*'s limits are computed over all its points.")
    on_day = day(on)
    before = sum(point.day < on for point in series.observations)
    if before == 0:
        said = (
            f"*{name}* has no point before {on_day}, so its mean and limits are still computed"
            f" over all its points. They are computed separately from {on_day} on once it has"
            " points before that date."
        )
    elif before == len(series.observations):
        said = (
            f"*{name}*'s points so far are all before {on_day}. Its mean and limits will be"
            f" computed separately from {on_day} on, as points from that date come in."
        )
    else:
        said = (
            f"*{name}*'s mean and limits are now computed separately before {on_day}"
            f" and from {on_day} on."
        )
    return confirmation(f":straight_ruler: {said}")


def confirm_removal(measure: Measure) -> Message:
    """Removing loses data: a button whose Block Kit confirmation dialog asks first."""
    name = escape(measure.name, 200)
    dialog = ConfirmObject(
        title="Remove the measure?",
        text=plain(f"{measure.name} and all its points will be removed for good.", 300),
        confirm="Remove",
        deny="Keep it",
        style="danger",
    )
    button = ButtonElement(
        text="Remove measure",
        action_id=REMOVE_MEASURE,
        value=str(measure.id),
        style="danger",
        confirm=dialog,
    )
    text = f"Remove *{name}* and every point it holds (pasted and from check-ins)?"
    return Message(text=text, blocks=blocks(section(text), ActionsBlock(elements=[button])))


def removed(name: str) -> Message:
    return confirmation(f":wastebasket: Removed the measure *{escape(name, 200)}* and its points.")


def _points(count: int) -> str:
    return counted(count, "point")
