"""The App Home tab: the user's projects, their progress, what is due and what is open."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.views import View

from bot.services.overview import Overview
from bot.views.message import blocks, context, divider, header, section
from bot.views.plan import next_checkin_line
from bot.views.stages import progress_bar, stage_line
from bot.views.text import counted, escape

# Slack allows 100 blocks in a Home tab; each project takes at most six.
_MAX_PROJECTS = 15
_NEXT_DUE_SHOWN = 3


def home(overviews: list[Overview], now: datetime) -> dict[str, Any]:
    items = [header("Your change projects")]
    if not overviews:
        items.append(
            section(
                "You are not a partner in a project yet. Where a project already has a "
                "lead, they make you one with `/plan role @you SIDE`. In a channel with no "
                "project yet, `/stage add TITLE` adds the first stage of the action plan: "
                "the channel becomes a changebot project and you become its lead."
            )
        )
    for view in overviews[:_MAX_PROJECTS]:
        items += _project(view, now.astimezone(ZoneInfo(view.project.timezone)).date())
    if len(overviews) > _MAX_PROJECTS:
        more = counted(len(overviews) - _MAX_PROJECTS, "more project")
        items.append(context(f"…and {more}."))
    items.append(
        context("`/plan` in a project's channel shows its overview; `/stage help` the plan.")
    )
    return View(type="home", blocks=blocks(*items)).to_dict()


def _project(view: Overview, today: date) -> list[Any]:
    project = view.project
    title = (
        f"*{escape(project.name, 200)}* in <#{project.channel_id}>\n{progress_bar(view.progress)}"
    )
    concerns = len(view.open_concerns)
    open_text = (
        f":warning: {counted(concerns, 'open principle concern')}"
        if concerns
        else ":white_check_mark: No open principle concerns"
    )
    due = _due_text(view, today)
    return [
        divider(),
        section(title),
        *([section(due)] if due else []),
        context(open_text, next_checkin_line(view)),
    ]


def _due_text(view: Overview, today: date) -> str | None:
    """What is due next, or why nothing is: every stage done, or none still to do dated."""
    if not view.stages:
        return None
    if view.progress.finished:
        return ":tada: Every stage is done."
    due = view.next_due[:_NEXT_DUE_SHOWN]
    if not due:
        return (
            "No stage still to do has a due date yet: set one with `/stage edit N due YYYY-MM-DD`."
        )
    return "*Next due:*\n" + "\n".join(stage_line(stage, today) for stage in due)
