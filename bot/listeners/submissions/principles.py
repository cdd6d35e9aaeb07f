"""The lead's principles form: the new set is saved and the channel asked to agree again."""

from __future__ import annotations

from typing import Any

from bot.listeners.context import Turn
from bot.listeners.surfaces import FormAnswer, form
from bot.posts import principles as posts
from bot.services import principles
from bot.views import principles as views
from bot.views import replies


def _save_principles(turn: Turn, view: dict[str, Any], _metadata: dict[str, Any]) -> FormAnswer:
    drafts = views.read_edit_form(view["state"]["values"])
    edit = principles.edit_principles(
        session=turn.session, project=turn.project, by=turn.caller.user_id, drafts=drafts
    )
    if edit.changed:
        posts.announce_edit(
            turn.session,
            turn.project,
            edit,
            by=turn.caller.user_id,
            request_id=turn.caller.request_id,
        )
    outcome = replies.finished_form(views.EDIT_TITLE, views.edit_saved(edit))
    return {"response_action": "update", "view": outcome}


save_principles = form(_save_principles, fallback=views.FIRST_TITLE)
