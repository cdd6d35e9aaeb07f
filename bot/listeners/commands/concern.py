"""`/concern`: raise a concern against a principle, or list the project's concerns."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.errors import NotFound
from bot.listeners.context import Turn
from bot.listeners.surfaces import CommandHandler, Reply
from bot.parsing.concern import CONCERN, ConcernRequest, ListConcerns, RaiseConcern, parse_concern
from bot.posts import concerns as posts
from bot.services import concerns
from bot.views import concerns as views
from storage.models import Concern

log = logging.getLogger(__name__)


def handle_concern(turn: Turn, request: ConcernRequest) -> Reply:
    match request:
        case RaiseConcern(number=number, text=text):
            try:
                raised = concerns.raise_concern(
                    session=turn.session,
                    project=turn.project,
                    by=turn.caller.user_id,
                    number=number,
                    text=text,
                    clock=turn.now,
                )
            except NotFound as missing:
                raise CONCERN.error(missing.message, form="N") from missing
            posts.post_raised(turn.session, raised)
            return views.concern_posted(raised.concern, to_raiser=True)
        case ListConcerns():
            now = turn.now()
            listed = concerns.list_concerns(session=turn.session, project=turn.project, now=now)
            posts.link_threads(turn.session, [*listed.open, *listed.closed])
            links = {
                concern.id: link
                for concern in [*listed.open, *listed.closed]
                if concern.id is not None and (link := _permalink(turn, concern)) is not None
            }
            return views.concern_list(listed, links, now)
    raise AssertionError(f"unhandled concern request {request!r}")


def _permalink(turn: Turn, concern: Concern) -> str | None:
    """A link to the concern's thread, or None while its card is still on its way."""
    if concern.thread_ts is None:
        return None
    try:
        answer = turn.client.chat_getPermalink(
            channel=concern.channel_id, message_ts=concern.thread_ts
        )
    except SlackApiError as error:
        log.info("no permalink for concern %s: %s", concern.id, error.response.get("error"))
        return None
    return str(answer["permalink"])


COMMAND: CommandHandler[ConcernRequest] = CommandHandler(
    forms=CONCERN, parse=parse_concern, handle=handle_concern
)
