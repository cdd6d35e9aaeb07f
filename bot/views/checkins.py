"""Check-ins in Block Kit: measures, schedules, the run's post, its form and the replies."""

from __future__ import annotations

import math
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement
from slack_sdk.models.views import View

from bot.errors import InvalidInput
from bot.parsing.checkin import ScheduleAction, decimal_number
from bot.services.checkins import (
    DEFAULT_TITLE,
    Answers,
    ImpactCheckin,
    Recorded,
    Upcoming,
    check_value,
)
from bot.services.schedules import spec_of
from bot.views.dates import moment
from bot.views.inputs import (
    Values,
    anonymous_in,
    anonymous_input,
    role_in,
    role_input,
    text_in,
    text_input,
    whose_view,
)
from bot.views.message import Message, blocks, context, mention, section
from bot.views.replies import confirmation
from bot.views.text import escape
from storage.models import CheckinRun, Measure, MeasureDirection, Role, Stage, saved_id

RECORD_CHECKIN = "record_checkin"
SCHEDULE_IMPACT_CHECKIN = "schedule_impact_checkin"
CHECKIN_FORM = "checkin_form"
WORKING = "working"
NOT_WORKING = "not_working"
# A modal holds 100 blocks: room for the heading, the reflections and the role.
MAX_MEASURE_FIELDS = 90
MAX_LISTED = 40

_MEASURE_BLOCK = "measure-"
_MOST_PLACES = 6
# Units written before the figure, as a pound sign is: £1,200, not 1,200 £.
_CURRENCIES = frozenset("£$€")
DIRECTION_WORDS = {
    MeasureDirection.HIGHER: "higher is better",
    MeasureDirection.LOWER: "lower is better",
    MeasureDirection.NEITHER: "neither way is better",
}


def plain_figure(value: float, unit: str | None = None) -> str:
    """A value as people write it: `12`, `12.5`, `-3`, `1,200`, `95%`, `£1,200`, `-£3`,
    `14 days` (not escaped).

    Two decimal places, or as many as show two significant figures of a small value
    (`0.0012`, not `0`), up to the six of `measures.csv`; never `-0`.
    """
    magnitude = abs(value)
    places = 1 - math.floor(math.log10(magnitude)) if magnitude else 0
    text = f"{value:,.{min(max(places, 2), _MOST_PLACES)}f}".rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    if not unit:
        return text
    if unit in _CURRENCIES:
        sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
        return f"{sign}{unit}{digits}"
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def figure(value: float, unit: str | None = None) -> str:
    """`plain_figure` made safe for mrkdwn (a unit is text someone typed)."""
    return escape(plain_figure(value, unit), 60)


def measure_line(measure: Measure) -> str:
    parts = [f"*{escape(measure.name, 200)}*"]
    if measure.unit:
        parts.append(f"in {escape(measure.unit, 30)}")
    if measure.target is not None:
        parts.append(f"target {figure(measure.target, measure.unit)}")
    parts.append(DIRECTION_WORDS[MeasureDirection(measure.direction)])
    return " · ".join(parts)


def measure_added(measure: Measure) -> Message:
    text = (
        f":straight_ruler: Added the measure {measure_line(measure)}. "
        "Every check-in now asks for it."
    )
    return confirmation(text)


def checkin_list(measures: list[Measure], checkins: list[Upcoming], zone: ZoneInfo) -> Message:
    """`/checkin list`: what is measured, and each check-in with its id and next run."""
    measure_text = "\n".join(f"• {measure_line(m)}" for m in measures[:MAX_LISTED]) or (
        "No measures yet. A lead adds one with `/checkin measure add NAME`."
    )
    checkin_text = "\n".join(_checkin_line(c, zone) for c in checkins[:MAX_LISTED]) or (
        "No check-ins scheduled. A lead schedules one with `/checkin schedule SCHEDULE [TITLE]`."
    )
    return Message(
        text="Measures and check-ins",
        blocks=blocks(
            section(f"*Measures*\n{measure_text}"), section(f"*Check-ins*\n{checkin_text}")
        ),
    )


def checkin_scheduled(upcoming: Upcoming, zone: ZoneInfo) -> Message:
    text = f":calendar: Scheduled {_checkin_line(upcoming, zone)}"
    return confirmation(text)


def checkin_changed(upcoming: Upcoming, action: ScheduleAction, zone: ZoneInfo) -> Message:
    said = {
        ScheduleAction.CANCEL: ":no_entry_sign: Cancelled",
        ScheduleAction.PAUSE: ":double_vertical_bar: Paused",
        ScheduleAction.RESUME: ":arrow_forward: Resumed",
    }[action]
    text = f"{said} {_checkin_line(upcoming, zone)}"
    return confirmation(text)


def _checkin_line(upcoming: Upcoming, zone: ZoneInfo) -> str:
    schedule = upcoming.schedule
    title = escape(schedule.title or DEFAULT_TITLE, 200)
    spec = spec_of(schedule)
    line = f"`{schedule.id}` *{title}*, {spec.describe()}"
    if schedule.cancelled:
        return f"{line} · cancelled"
    if schedule.paused:
        return f"{line} · paused (`/checkin resume {schedule.id}`)"
    if upcoming.next_run is None:
        return f"{line} · no runs left"
    if spec.every == "once":
        return line  # its description already says when
    return f"{line} · next {moment(upcoming.next_run, zone)}"


# -- the run's post and its form --------------------------------------------------------


def checkin_post(run: CheckinRun, measures: list[Measure]) -> Message:
    """What the channel sees when a check-in runs, with the button that opens the form."""
    title = escape(run.title, 200)
    asks = ", ".join(f"*{escape(m.name, 100)}*" for m in measures[:10])
    lines = [f":clipboard: *{title}*: time to check in on the project's impact."]
    if asks:
        lines.append(f"Record the latest {asks}, and say what is working and what is not.")
    else:
        lines.append("Say what is working and what is not.")
    button = ButtonElement(
        text="Record check-in", action_id=RECORD_CHECKIN, value=str(run.id), style="primary"
    )
    return Message(
        text=f":clipboard: {title}: time to check in",
        blocks=blocks(
            section("\n".join(lines)),
            context("Every view counts: management, staff, union and service users."),
            ActionsBlock(elements=[button]),
        ),
    )


def checkin_form(
    run: CheckinRun, measures: list[Measure], default_role: Role | None, metadata: str
) -> dict[str, Any]:
    """One number field per measure (unit and target shown), the reflections, whose view."""
    fields = [_measure_input(measure) for measure in measures[:MAX_MEASURE_FIELDS]]
    view = View(
        type="modal",
        callback_id=CHECKIN_FORM,
        title="Record check-in",
        submit="Record",
        close="Cancel",
        private_metadata=metadata,
        blocks=[
            section(f":clipboard: *{escape(run.title, 200)}*"),
            *fields,
            text_input(WORKING, "What is working?", optional=True),
            text_input(NOT_WORKING, "What is not working?", optional=True),
            role_input(default_role),
            anonymous_input("Show my answer without my name"),
        ],
    )
    return view.to_dict()


def read_checkin_form(values: Values, measures: list[Measure]) -> Answers:
    """The answers, each figure checked: a field that is not a number is refused under it."""
    numbers = {}
    for measure in measures[:MAX_MEASURE_FIELDS]:
        typed = text_in(values, _measure_block(measure))
        if typed:
            numbers[saved_id(measure)] = _number(typed, measure)
    answers = Answers(
        role=role_in(values),
        anonymous=anonymous_in(values),
        working=text_in(values, WORKING),
        not_working=text_in(values, NOT_WORKING),
        values=numbers,
    )
    if not (answers.values or answers.working or answers.not_working):
        field = _measure_block(measures[0]) if measures else WORKING
        raise InvalidInput("Give at least one figure, or say what is working or not.", field=field)
    return answers


def _measure_block(measure: Measure) -> str:
    return f"{_MEASURE_BLOCK}{measure.id}"


def _measure_input(measure: Measure) -> Block:
    label = measure.name + (f" ({measure.unit})" if measure.unit else "")
    hint = "A number, like 12 or 12.5."
    if measure.target is not None:
        target = plain_figure(measure.target, measure.unit)
        hint = f"Target {target}, {DIRECTION_WORDS[MeasureDirection(measure.direction)]}. {hint}"
    return text_input(
        _measure_block(measure), label, optional=True, multiline=False, hint=hint, max_length=30
    )


def _number(typed: str, measure: Measure) -> float:
    value = decimal_number(typed)
    if value is None:
        unit = f" of {measure.unit}" if measure.unit else ""
        raise InvalidInput(
            f"“{typed[:30]}” is not a number. Type the number{unit}, like 12 or 12.5.",
            field=_measure_block(measure),
        )
    try:
        check_value(measure.unit, value)
    except InvalidInput as error:
        raise InvalidInput(error.message, field=_measure_block(measure)) from error
    return value


# -- replies in the run's thread --------------------------------------------------------


def response_recorded(recorded: Recorded, *, side: str) -> Message:
    """The thread's note of a response; it never repeats what was said, nor a side kept back."""
    response = recorded.response
    who = (
        "An anonymous response" if response.anonymous else f"{mention(response.user_id)}'s response"
    )
    verb = "was updated" if recorded.replaced else "is in"
    text = f":white_check_mark: {who} {verb} ({whose_view(side)}). Thank you."
    return Message(text=text, blocks=blocks(context(text)))


def follow_up(missing: list[Role], *, feedback_page: str | None = None) -> Message:
    """A day on, the thread hears whose view is still missing, and where service users
    can answer for themselves when the project has a feedback page."""
    names = [role.value for role in missing]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" or {names[-1]}"
    text = (
        f":hourglass: A day on, there is no {listed} view yet. "
        "Press *Record check-in* above to add yours, or to enter a service user's words."
    )
    if feedback_page:
        text += f" Service users and carers can also answer on the feedback page: <{feedback_page}>"
    return confirmation(text)


# -- impact check-ins proposed by a celebration -----------------------------------------


def impact_checkin_offer(stage: Stage) -> Block:
    """The celebration's button: one click schedules a check-in on the stage's impact."""
    button = ButtonElement(
        text="Check its impact in 4 weeks",
        action_id=SCHEDULE_IMPACT_CHECKIN,
        value=str(stage.id),
    )
    return ActionsBlock(elements=[button])


def impact_checkin_scheduled(
    impact: ImpactCheckin, upcoming: Upcoming, by: str, zone: ZoneInfo
) -> Message:
    """Told in the celebration's thread, so the team knows the check-in is coming."""
    text = (
        f":calendar: {mention(by)} scheduled a check-in on the impact of stage "
        f"{impact.stage.position}: {_checkin_line(upcoming, zone)}"
    )
    return confirmation(text)


def impact_checkin_reply(impact: ImpactCheckin, upcoming: Upcoming, zone: ZoneInfo) -> Message:
    said = "Scheduled" if impact.created else "Already scheduled:"
    text = f":calendar: {said} {_checkin_line(upcoming, zone)}"
    return confirmation(text)
