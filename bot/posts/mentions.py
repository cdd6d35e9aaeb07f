"""changebot's answer to an @mention, in the mention's thread."""

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
        key=f"mention:{channel_id}:{ts}",
        team_id=team_id,
        channel_id=channel_id,
        message=message,
        reply_to_ts=thread_ts,
    )
