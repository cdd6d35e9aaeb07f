"""The App Home tab: the user's projects and how far each has come."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.views import View

from bot.services.stages import Progress
from bot.views.message import blocks, context, header, section
from bot.views.stages import progress_bar
from bot.views.text import escape
from storage.models import Project


def home(projects: list[tuple[Project, Progress]]) -> dict[str, Any]:
    items = [header("Your change projects")]
    if not projects:
        items.append(
            section(
                "You are not part of a project yet. In the channel where your project lives, "
                "type `/stage add TITLE` to add the first stage of the action plan: the channel "
                "becomes a changebot project and you become its lead."
            )
        )
    for project, progress in projects[:30]:
        items.append(
            section(
                f"*{escape(project.name, 200)}* in <#{project.channel_id}>\n"
                f"{progress_bar(progress)}"
            )
        )
    items.append(context("`/stage help` lists what you can do with the action plan."))
    return View(type="home", blocks=blocks(*items)).to_dict()
