"""The Remove button that `/stage remove N` offers, behind Slack's confirmation dialog."""

from __future__ import annotations

from bot.listeners.context import Turn
from bot.listeners.payloads import Press
from bot.listeners.surfaces import Reply, button
from bot.services import stages
from bot.views import stages as views


@button
def remove_stage(turn: Turn, press: Press) -> Reply:
    """The stage is named by id: the numbers may have moved since the question was asked."""
    removed = stages.remove_stage(
        session=turn.session, project=turn.project, stage_id=press.number(), by=turn.caller.user_id
    )
    return views.stage_removed(removed)
