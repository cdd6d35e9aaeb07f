"""`/concern`: raise a concern against a principle, or list the project's concerns."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot import forum
from bot.errors import NotFound
from bot.listeners.commands.runner import CommandContext, CommandHandler
from bot.parsing.concern import CONCERN, ConcernRequest, ListConcerns, RaiseConcern, parse_concern
from bot.services import concerns
from bot.views import concerns as views
from bot.views.message import Message
from storage.models import Concern

log = logging.getLogger(__name__)


def handle_concern(ctx: CommandContext, request: ConcernRequest) -> Message:
    match request:
        case RaiseConcern(number=number, text=text):
            return _raise(ctx, number, text)
        case ListConcerns():
            now = ctx.now()
            listed = concerns.list_concerns(session=ctx.session, project=ctx.project, now=now)
            links = {
                concern.id: link
                for concern in [*listed.open, *listed.closed]
                if concern.id is not None and (link := _permalink(ctx, concern)) is not None
            }
            return views.concern_list(listed, links, now)
    raise AssertionError(f"unhandled concern request {request!r}")


def _raise(ctx: CommandContext, number: int, text: str) -> Message:
    try:
        raised = concerns.raise_concern(
            session=ctx.session,
            project=ctx.project,
            by=ctx.caller.user_id,
            number=number,
            text=text,
            clock=ctx.now,
        )
    except NotFound as missing:
        raise CONCERN.error(missing.message, form="N") from missing
    forum.post_raised(ctx.session, raised)
    return views.concern_posted(raised.concern, to_raiser=True)


def _permalink(ctx: CommandContext, concern: Concern) -> str | None:
    """A link to the concern's thread, or None while its card is still on its way."""
    if concern.thread_ts is None:
        return None
    try:
        answer = ctx.client.chat_getPermalink(
            channel=concern.channel_id, message_ts=concern.thread_ts
        )
    except SlackApiError as error:
        log.info("no permalink for concern %s: %s", concern.id, error.response.get("error"))
        return None
    return str(answer["permalink"])


CONCERN_COMMAND: CommandHandler[ConcernRequest] = CommandHandler(
    forms=CONCERN, parse=parse_concern, handle=handle_concern
)
