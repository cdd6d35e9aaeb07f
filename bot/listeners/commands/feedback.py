"""`/feedback`: typed feedback is stored at once; no text opens the form."""

from __future__ import annotations

from bot.listeners.context import Turn
from bot.listeners.payloads import modal_metadata
from bot.listeners.surfaces import CommandHandler, OpenModal, Reply
from bot.parsing.feedback import (
    FEEDBACK,
    FeedbackRequest,
    GiveFeedback,
    OpenFeedbackForm,
    parse_feedback,
)
from bot.posts import feedback as posts
from bot.services import feedback
from bot.views import feedback as views


def handle_feedback(turn: Turn, request: FeedbackRequest) -> Reply:
    session, project, user = turn.session, turn.project, turn.caller.user_id
    match request:
        case GiveFeedback(text=text, stage_number=number, anonymous=anonymous):
            given = feedback.give_feedback(
                session=session,
                project=project,
                by=user,
                text=text,
                stage_number=number,
                anonymous=anonymous,
            )
            return views.feedback_recorded(given, shared=posts.share(session, given))
        case OpenFeedbackForm():
            choices = feedback.form_choices(session=session, project=project)
            return OpenModal(views.feedback_form(choices, modal_metadata(turn.caller)))
    raise AssertionError(f"unhandled feedback request {request!r}")


COMMAND: CommandHandler[FeedbackRequest] = CommandHandler(
    forms=FEEDBACK, parse=parse_feedback, handle=handle_feedback
)
