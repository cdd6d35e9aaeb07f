"""Feedback in the channel, when the project shares it."""

from __future__ import annotations

from sqlmodel import Session

from bot.delivery import enqueue
from bot.services.feedback import Given, feedback_side
from bot.services.partners import sides_shown_anonymously
from bot.views import feedback as views


def share(session: Session, given: Given) -> bool:
    """Post the feedback in its project's channel if the project shares feedback; whether it did."""
    project = given.project
    if not project.post_feedback_in_channel:
        return False
    enqueue(
        session,
        key=f"feedback:{given.feedback.id}",
        team_id=project.team_id,
        channel_id=project.channel_id,
        message=views.feedback_post(given, side=_side(session, given)),
    )
    return True


def _side(session: Session, given: Given) -> str:
    return feedback_side(
        given.feedback, shown=sides_shown_anonymously(session=session, project=given.project)
    )
