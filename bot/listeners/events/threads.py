"""Mentions and thread messages: the mention door for concerns, and concern threads' history."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from bot.errors import ChangebotError
from bot.listeners.context import Turn
from bot.listeners.surfaces import AfterCommit, event
from bot.parsing.concern import parse_mention
from bot.parsing.threads import Bot, Deletion, Edit, Reply, ThreadChange, thread_change
from bot.posts import concerns as concern_posts
from bot.posts import mentions as mention_posts
from bot.services import concerns
from bot.views import mentions, replies
from bot.views.message import Message


@event
def answer_mention(turn: Turn, mention: dict[str, Any]) -> AfterCommit:
    """`@changebot concern N TEXT` raises a concern in the thread; other mentions get an
    introduction there. Either way the answer lands in the mention's thread; a refusal
    is shown there to the mention's writer alone."""
    where = {
        "team_id": turn.caller.team_id,
        "channel_id": turn.caller.channel_id,
        "ts": mention["ts"],
        "thread_ts": mention.get("thread_ts") or mention["ts"],
    }
    try:
        answer, private = _raise_from_mention(turn, mention)
    except ChangebotError as error:
        answer, private = replies.refusal(error), True
    if answer is not None:
        mention_posts.answer_mention(
            turn.session,
            **where,
            message=answer,
            only_to=turn.caller.user_id if private else None,
        )
    return None


def _raise_from_mention(turn: Turn, mention: dict[str, Any]) -> tuple[Message | None, bool]:
    """The reply a mention needs, and whether it is for its writer alone. A concern's card is
    the thread's reply; an anonymous one's writer is told privately that their mention
    named them all the same."""
    request = parse_mention(mention.get("text") or "")
    if request is None:
        return mentions.introduction(), False
    raised = concerns.raise_concern(
        session=turn.session,
        project=turn.project,
        by=turn.caller.user_id,
        number=request.number,
        text=request.text,
        origin=concern_posts.origin(
            turn.session,
            channel_id=turn.caller.channel_id,
            thread_ts=mention.get("thread_ts") or mention["ts"],
            message_ts=mention["ts"],
        ),
        clock=turn.now,
    )
    concern_posts.post_raised(turn.session, raised)
    if raised.concern.anonymous:
        return mentions.named_by_the_mention(), True
    return None, False


def _thread_change(message: dict[str, Any], context: BoltContext) -> ThreadChange | None:
    return thread_change(message, Bot(user_id=context.bot_user_id, bot_id=context.bot_id))


def _keep_concern_history(turn: Turn, change: ThreadChange) -> AfterCommit:
    """Replies in a concern's thread, their edits and deletions, become its history."""
    session = turn.session
    concern = concern_posts.concern_in_thread(
        session, channel_id=change.channel_id, thread_ts=change.thread_ts
    )
    if concern is None:
        return None
    match change:
        case Reply(message_ts=ts, user_id=user_id, text=text):
            concerns.record_reply(
                session=session, concern=concern, user_id=user_id, message_ts=ts, text=text
            )
        case Edit(message_ts=ts, text=text):
            concerns.record_edit(
                session=session, concern=concern, message_ts=ts, text=text, clock=turn.now
            )
        case Deletion(message_ts=ts):
            concerns.record_deletion(
                session=session, concern=concern, message_ts=ts, clock=turn.now
            )
    return None


keep_concern_history = event(_keep_concern_history, read=_thread_change)
