"""The `/plan settings` form's submission: every setting saved at once, or errors under fields."""

from __future__ import annotations

from typing import Any

from bot.listeners.context import Turn
from bot.listeners.surfaces import FormAnswer, form
from bot.services import projects
from bot.views import replies
from bot.views import settings as views


def _save_settings(turn: Turn, view: dict[str, Any], _metadata: dict[str, Any]) -> FormAnswer:
    project = turn.project
    chosen = views.read_settings_form(view["state"]["values"], project_channel=project.channel_id)
    projects.change_settings(
        session=turn.session, project=project, by=turn.caller.user_id, settings=chosen
    )
    reply = views.settings_saved(projects.settings_of(project))
    return {"response_action": "update", "view": replies.finished_form("Settings", reply)}


save_settings = form(_save_settings, fallback=views.TIMEZONE)
