"""The `/feedback` form's submission: stored once, then the form turns into its acknowledgement.

Anonymous feedback is stored without a user id, and nothing here logs who sent it.
"""

from __future__ import annotations

from typing import Any

from bot.listeners.context import Turn
from bot.listeners.surfaces import FormAnswer, form
from bot.posts import feedback as posts
from bot.services import feedback
from bot.views import feedback as views
from bot.views import replies


def _record_feedback(turn: Turn, view: dict[str, Any], _metadata: dict[str, Any]) -> FormAnswer:
    answers = views.read_feedback_form(view["state"]["values"])
    given = feedback.give_feedback(
        session=turn.session,
        project=turn.project,
        by=turn.caller.user_id,
        text=answers.text,
        stage_id=answers.stage_id,
        rating=answers.rating,
        role=answers.role,
        anonymous=answers.anonymous,
    )
    reply = views.feedback_recorded(given, shared=posts.share(turn.session, given))
    return {"response_action": "update", "view": replies.finished_form("Feedback", reply)}


submit_feedback = form(_record_feedback, fallback=views.TEXT, fields=views.FIELDS)
