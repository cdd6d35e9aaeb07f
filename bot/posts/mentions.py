"""changebot's answer to an @mention, in the mention's thread: to everyone there, or, when
changebot cannot do what it was asked, to the person who asked."""

from __future__ import annotations

from sqlmodel import Session

from bot.delivery import enqueue
from bot.views.message import Message


def answer_mention(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    ts: str,
    thread_ts: str,
    message: Message,
    only_to: str | None = None,
) -> None:
    """One answer per mention, however often Slack delivers it.

    With `only_to` it is shown in the thread to that person alone: why a
    mention did nothing (a slip in a concern) is theirs to fix, not the
    thread's to read.
    """
    enqueue(
        session,
        key=f"mention:{channel_id}:{ts}",
        team_id=team_id,
        channel_id=channel_id,
        message=message,
        reply_to_ts=thread_ts,
        visible_to=only_to,
    )
