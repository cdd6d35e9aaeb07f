"""`/plan`: the project overview and the confirmations of its settings."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from bot.services.overview import Overview
from bot.views.dates import viewers_moment
from bot.views.message import Message, blocks, context, divider, header, mention, section
from bot.views.stages import progress_bar, progress_words, stage_line
from bot.views.text import counted, escape
from storage.models import Partner, Project, SignoffMode

_MAX_STAGES_SHOWN = 40


def overview(view: Overview, today: date) -> Message:
    project = view.project
    need = (
        f"*Why we are changing:* {escape(project.need, 2500)}"
        if project.need
        else "_No need for change is recorded yet._ A lead sets it with `/plan need TEXT`."
    )
    items = [header(project.name), section(need), section(progress_bar(view.progress))]
    if view.stages:
        items.append(divider())
        items += [section(stage_line(stage, today)) for stage in view.stages[:_MAX_STAGES_SHOWN]]
        more = len(view.stages) - _MAX_STAGES_SHOWN
        if more > 0:
            items.append(context(f"…and {counted(more, 'more stage')}: `/stage list`."))
    items.append(divider())
    items.append(section(_concerns_line(view)))
    items.append(section(next_checkin_line(view)))
    items.append(context(_signoff_line(project)))
    return Message(
        text=f"{escape(project.name, 150)}: {progress_words(view.progress)}", blocks=blocks(*items)
    )


def next_checkin_line(view: Overview) -> str:
    if view.next_checkin is None:
        return ":clipboard: No evaluation check-in is scheduled (`/checkin schedule`)."
    zone = ZoneInfo(view.project.timezone)
    return f":clipboard: Next check-in: {viewers_moment(view.next_checkin, zone)}."


def _concerns_line(view: Overview) -> str:
    if not view.open_concerns:
        return ":white_check_mark: No open principle concerns."
    shown = ", ".join(
        f"principle {c.principle_position} ({escape(c.principle_title, 100)})"
        for c in view.open_concerns[:5]
    )
    count = len(view.open_concerns)
    noun = "concern" if count == 1 else "concerns"
    return f":warning: {count} open {noun}: {shown}. `/concern list` shows them."


def _signoff_line(project: Project) -> str:
    if project.signoff_mode == SignoffMode.JOINT:
        return (
            "Stages need joint sign-off: one partner of the management side (or a lead who is "
            "not of the union side) and one of the union side confirm each."
        )
    return "A stage is done when its owner or a lead completes it."


def need_set(project: Project) -> Message:
    text = f":memo: The need for change is now: {escape(project.need, 2800)}"
    return Message(text=text, blocks=blocks(section(text)))


def role_set(partner: Partner) -> Message:
    """A partner's side and lead permission as they are now, whichever of them changed."""
    lead = ", and a lead" if partner.is_lead else " (not a lead)"
    text = (
        f":busts_in_silhouette: {mention(partner.user_id)} is of the *{partner.role}* side"
        f"{lead} in this project."
    )
    return Message(text=text, blocks=blocks(section(text)))


def signoff_set(project: Project) -> Message:
    return Message(text=_signoff_line(project), blocks=blocks(section(_signoff_line(project))))


def report_on_its_way() -> Message:
    text = (
        ":page_facing_up: The partnership report is on its way to you as a PDF, by direct message."
    )
    return Message(text=text, blocks=blocks(section(text)))


def export_on_its_way() -> Message:
    text = (
        ":inbox_tray: The project's record is on its way to you as a CSV file, in a direct message."
    )
    return Message(text=text, blocks=blocks(section(text)))
