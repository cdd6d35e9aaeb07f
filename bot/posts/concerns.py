"""What the team sees of a concern, wherever the change came from: its card and its thread.

`/concern`, the shortcut's form, a mention, the buttons and the escalation
job all end here, so a concern is posted, updated and followed up the same
way, once, under the same outbox keys. A card's thread is known only once
the card is posted: `link_threads` reads it from the card's outbox row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session

from bot.delivery import enqueue, posted
from bot.services import concerns as service
from bot.services.concerns import Origin, Raised
from bot.views import concerns as views
from storage.models import Concern, Project


def card_key(concern: Concern) -> str:
    """The key of the concern's card; status changes update it and reply in its thread."""
    return f"concern:{concern.id}"


def post_raised(session: Session, raised: Raised) -> None:
    """The concern's card, in its thread when it was raised in one of the forum channel's."""
    concern, project, origin = raised.concern, raised.project, raised.origin
    enqueue(
        session,
        key=card_key(concern),
        team_id=project.team_id,
        channel_id=concern.channel_id,
        message=views.concern_card(concern),
        reply_to_ts=concern.thread_ts,
    )
    if origin is not None and raised.posted_elsewhere:
        enqueue(
            session,
            key=f"{card_key(concern)}:origin",
            team_id=project.team_id,
            channel_id=origin.channel_id,
            message=views.concern_posted(concern, to_raiser=False),
            reply_to_ts=origin.thread_ts,
        )


def post_status_change(session: Session, project: Project, concern: Concern) -> None:
    """Update the card to the concern's new status, and say so in its thread.

    A concern reaches each status once, so the status names the rows.
    """
    key = f"{card_key(concern)}:{concern.status}"
    enqueue(
        session,
        key=f"{key}:card",
        team_id=project.team_id,
        channel_id=concern.channel_id,
        message=views.concern_card(concern),
        update_key=card_key(concern),
    )
    enqueue(
        session,
        key=key,
        team_id=project.team_id,
        channel_id=concern.channel_id,
        message=views.status_changed(concern),
        **_in_thread(concern),
    )


def post_escalation(session: Session, project: Project, concern: Concern, leads: list[str]) -> bool:
    """The one reminder to the leads, in the concern's thread; False if it was written before."""
    return enqueue(
        session,
        key=f"escalate:concern:{concern.id}",
        team_id=project.team_id,
        channel_id=concern.channel_id,
        message=views.escalation(concern, leads),
        **_in_thread(concern),
    )


def link_threads(session: Session, concerns: Iterable[Concern]) -> None:
    """Give concerns whose card has been posted the thread the card started."""
    for concern in concerns:
        if concern.thread_ts is not None:
            continue
        card = posted(session, card_key(concern))
        if card is not None:
            service.link_thread(
                session=session, concern=concern, channel_id=card.channel_id, thread_ts=card.ts
            )
    session.flush()


def origin(
    session: Session, *, channel_id: str, thread_ts: str, message_ts: str | None = None
) -> Origin:
    """The thread a concern is raised from, and whether a concern lives there already."""
    held = concern_in_thread(session, channel_id=channel_id, thread_ts=thread_ts)
    return Origin(channel_id, thread_ts, message_ts, holds_concern=held is not None)


def concern_in_thread(session: Session, *, channel_id: str, thread_ts: str) -> Concern | None:
    """The concern living in this thread; on a miss, the channel's posted cards are linked first."""
    found = service.concern_in_thread(session=session, channel_id=channel_id, thread_ts=thread_ts)
    if found is not None:
        return found
    link_threads(session, service.unlinked_in(session=session, channel_id=channel_id))
    # Look again even if nothing was linked here: another reply may have linked it meanwhile.
    return service.concern_in_thread(session=session, channel_id=channel_id, thread_ts=thread_ts)


def _in_thread(concern: Concern) -> dict[str, Any]:
    """Where a reply to the concern goes: its known thread, or the thread its card starts."""
    if concern.thread_ts is not None:
        return {"reply_to_ts": concern.thread_ts}
    return {"thread_key": card_key(concern)}
