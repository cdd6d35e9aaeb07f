"""The concern forms' submissions: raising one (from the shortcut or a reminder), resolving one."""

from __future__ import annotations

from typing import Any

from bot.errors import InvalidInput
from bot.listeners.context import Turn
from bot.listeners.payloads import OUT_OF_DATE
from bot.listeners.surfaces import FormAnswer, form
from bot.posts import concerns as posts
from bot.services import concerns
from bot.views import concerns as views
from bot.views import replies


def _raise_concern(turn: Turn, view: dict[str, Any], metadata: dict[str, Any]) -> FormAnswer:
    answers = views.read_raise_form(view["state"]["values"])
    thread_ts = metadata.get("thread")
    origin = (
        posts.origin(turn.session, channel_id=turn.caller.channel_id, thread_ts=str(thread_ts))
        if thread_ts
        else None
    )
    raised = concerns.raise_concern(
        session=turn.session,
        project=turn.project,
        by=turn.caller.user_id,
        number=answers.number,
        text=answers.text,
        origin=origin,
        clock=turn.now,
    )
    posts.post_raised(turn.session, raised)
    outcome = views.concern_posted(raised.concern, to_raiser=True)
    return {"response_action": "update", "view": replies.finished_form("Concern raised", outcome)}


def _resolve_concern(turn: Turn, view: dict[str, Any], metadata: dict[str, Any]) -> FormAnswer:
    concern_id = metadata.get("concern")
    if not isinstance(concern_id, int):
        raise InvalidInput(OUT_OF_DATE)
    project, concern = concerns.concern_by_id(
        session=turn.session, team_id=turn.caller.team_id, concern_id=concern_id, lock=True
    )
    concerns.resolve_concern(
        session=turn.session,
        project=project,
        concern=concern,
        by=turn.caller.user_id,
        note=views.read_resolve_form(view["state"]["values"]),
        clock=turn.now,
    )
    posts.post_status_change(turn.session, project, concern)
    return None


raise_concern = form(_raise_concern, fallback=views.PRINCIPLE, fields=views.RAISE_FIELDS)
resolve_concern = form(_resolve_concern, fallback=views.NOTE, fields=views.RESOLVE_FIELDS)
