"""`/feedback`: typed feedback is stored at once; no text opens the form."""

from __future__ import annotations

from sqlmodel import Session

from bot.delivery import enqueue
from bot.listeners.commands.runner import CommandContext, CommandHandler, OpenModal, Reply
from bot.listeners.interactions import modal_metadata
from bot.parsing.feedback import (
    FEEDBACK,
    FeedbackRequest,
    GiveFeedback,
    OpenFeedbackForm,
    parse_feedback,
)
from bot.services import feedback, stages
from bot.services.feedback import Given
from bot.services.projects import role_of
from bot.views import feedback as views
from bot.views.message import Message
from storage.models import Project


def handle_feedback(ctx: CommandContext, request: FeedbackRequest) -> Reply:
    session, project, user = ctx.session, ctx.project, ctx.caller.user_id
    match request:
        case GiveFeedback(text=text, stage_number=number):
            given = feedback.give_feedback(
                session=session, project=project, by=user, text=text, stage_number=number
            )
            return acknowledge(session, project, given)
        case OpenFeedbackForm():
            form = views.feedback_form(
                stages.list_stages(session=session, project=project),
                role_of(session=session, project=project, user_id=user),
                modal_metadata(ctx.caller),
            )
            return OpenModal(form)
    raise AssertionError(f"unhandled feedback request {request!r}")


def acknowledge(session: Session, project: Project, given: Given) -> Message:
    """Share the feedback in the channel if the project does that; the giver's private reply."""
    shared = project.post_feedback_in_channel
    if shared:
        enqueue(
            session,
            key=given.announcement_key,
            team_id=project.team_id,
            channel_id=project.channel_id,
            message=views.feedback_post(given),
        )
    return views.feedback_recorded(given, shared=shared)


FEEDBACK_COMMAND: CommandHandler[FeedbackRequest] = CommandHandler(
    forms=FEEDBACK, parse=parse_feedback, handle=handle_feedback
)
