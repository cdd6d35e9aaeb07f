"""Mentions and thread messages: the mention door for concerns, and concern threads' history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext
from sqlmodel import Session

from bot import forum
from bot.delivery import enqueue
from bot.errors import ChangebotError
from bot.parsing.concern import parse_mention
from bot.parsing.threads import Bot, Deletion, Edit, Reply, thread_change
from bot.runtime import Runtime
from bot.services import concerns
from bot.services.concerns import Origin
from bot.services.projects import Caller, project_for
from bot.views import mentions, replies
from bot.views.message import Message

Listener = Callable[..., None]


def mention(runtime: Runtime) -> Listener:
    def answer_mention(event: dict[str, Any], body: dict[str, Any]) -> None:
        """`@changebot concern N TEXT` raises a concern in the thread; other mentions get an
        introduction there. Either way the answer lands in the mention's thread."""
        channel, ts = event["channel"], event["ts"]
        with runtime.transaction() as session:
            try:
                answer = _raise_from_mention(session, runtime, body["team_id"], event)
            except ChangebotError as error:
                answer = replies.refusal(error)
            if answer is not None:
                enqueue(
                    session,
                    key=f"mention:{channel}:{ts}",
                    team_id=body["team_id"],
                    channel_id=channel,
                    message=answer,
                    reply_to_ts=event.get("thread_ts") or ts,
                )

    return answer_mention


def _raise_from_mention(
    session: Session, runtime: Runtime, team_id: str, event: dict[str, Any]
) -> Message | None:
    """The reply a mention needs; None when it raised a concern, whose card is the reply."""
    request = parse_mention(event.get("text") or "")
    if request is None:
        return mentions.introduction()
    caller = Caller(team_id=team_id, channel_id=event["channel"], user_id=event["user"])
    project = project_for(
        session=session, caller=caller, timezone=runtime.settings.changebot_timezone
    )
    thread_ts = event.get("thread_ts") or event["ts"]
    raised = concerns.raise_concern(
        session=session,
        project=project,
        by=caller.user_id,
        number=request.number,
        text=request.text,
        origin=Origin(caller.channel_id, thread_ts, message_ts=event["ts"]),
        clock=runtime.clock,
    )
    forum.post_raised(session, raised)
    return None


def thread_message(runtime: Runtime) -> Listener:
    def keep_concern_history(event: dict[str, Any], context: BoltContext) -> None:
        """Replies in a concern's thread, their edits and deletions, become its history."""
        change = thread_change(event, Bot(user_id=context.bot_user_id, bot_id=context.bot_id))
        if change is None:
            return
        with runtime.transaction() as session:
            concern = concerns.concern_in_thread(
                session=session, channel_id=change.channel_id, thread_ts=change.thread_ts
            )
            if concern is None:
                return
            match change:
                case Reply(message_ts=ts, user_id=user_id, text=text):
                    concerns.record_reply(
                        session=session, concern=concern, user_id=user_id, message_ts=ts, text=text
                    )
                case Edit(message_ts=ts, text=text):
                    concerns.record_edit(
                        session=session,
                        concern=concern,
                        message_ts=ts,
                        text=text,
                        clock=runtime.clock,
                    )
                case Deletion(message_ts=ts):
                    concerns.record_deletion(
                        session=session, concern=concern, message_ts=ts, clock=runtime.clock
                    )

    return keep_concern_history
