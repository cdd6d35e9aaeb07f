"""changebot's answer to an @mention, in the mention's thread: to everyone there, or, when
changebot cannot do what it was asked, to the person who asked."""

from __future__ import annotations

from sqlmodel import Session

from bot.delivery import enqueue
from bot.views.message import Message


def answer_mention(
    session: Session, *, team_id: str, channel_id: str, ts: str, thread_ts: str, message: Message
) -> None:
    """One answer per mention, however often Slack delivers it."""
    enqueue(
        session,
        key=_key(channel_id, ts),
        team_id=team_id,
        channel_id=channel_id,
        message=message,
        reply_to_ts=thread_ts,
    )


def refuse_mention(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    ts: str,
    thread_ts: str,
    user_id: str,
    message: Message,
) -> None:
    """Why a mention did nothing, shown in its thread to its writer alone: a slip in a
    concern is theirs to fix, not the thread's to read."""
    enqueue(
        session,
        key=_key(channel_id, ts),
        team_id=team_id,
        channel_id=channel_id,
        message=message,
        reply_to_ts=thread_ts,
        visible_to=user_id,
    )


def _key(channel_id: str, ts: str) -> str:
    return f"mention:{channel_id}:{ts}"
