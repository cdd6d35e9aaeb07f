"""`/feedback`: typed feedback is stored at once; no text opens the form; `link` and `list`
are the leads' ways to hear from people outside Slack and to answer them publicly."""

from __future__ import annotations

from functools import partial

from bot.listeners.context import Turn
from bot.listeners.payloads import modal_metadata
from bot.listeners.surfaces import CommandHandler, Later, OpenModal, Reply
from bot.parsing.feedback import (
    FEEDBACK,
    FeedbackRequest,
    GiveFeedback,
    LinkAction,
    ListFeedback,
    ManageLink,
    OpenFeedbackForm,
    parse_feedback,
)
from bot.posts import exports
from bot.posts import feedback as posts
from bot.services import feedback, feedback_links, you_said
from bot.services.feedback_links import LinkAnswer
from bot.views import feedback as views
from bot.views import feedback_links as link_views
from bot.views import you_said as you_said_views
from bot.views.message import Message, Upload


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
        case ManageLink(action=LinkAction.OFF, stage_number=number):
            closed = feedback_links.close_link(
                session=session, project=project, by=user, stage_number=number
            )
            return link_views.link_closed(project, closed, _base(turn))
        case ManageLink(action=action, stage_number=number):
            change = (
                feedback_links.replace_link
                if action == LinkAction.NEW
                else feedback_links.share_link
            )
            answer = change(session=session, project=project, by=user, stage_number=number)
            draw = partial(link_views.poster_files, project, answer, _base(turn))
            return Later(prepare=draw, finish=partial(_send_poster, answer))
        case ListFeedback():
            return _feedback_list(turn)
    raise AssertionError(f"unhandled feedback request {request!r}")


def _send_poster(answer: LinkAnswer, turn: Turn, files: list[Upload]) -> Message:
    """The QR code and the poster, drawn outside the first transaction, go to the lead."""
    exports.send_feedback_poster(
        turn.session,
        turn.project,
        to=turn.caller.user_id,
        uploads=files,
        request_id=turn.caller.request_id,
    )
    return link_views.link_shared(turn.project, answer, _base(turn))


def _feedback_list(turn: Turn) -> Message:
    session, project = turn.session, turn.project
    recent = you_said.recent_feedback(session=session, project=project, by=turn.caller.user_id)
    token = feedback_links.public_token(session=session, project=project)
    return you_said_views.feedback_list(
        project, recent, page=you_said_views.page_of(_base(turn), token)
    )


def _base(turn: Turn) -> str:
    return turn.runtime.settings.public_base


COMMAND: CommandHandler[FeedbackRequest] = CommandHandler(
    forms=FEEDBACK, parse=parse_feedback, handle=handle_feedback
)
