"""The buttons on a concern's card (Acknowledge, Resolve, Withdraw) and on a principle reminder.

A card's buttons name the concern by id; its project is the concern's, not
the channel's, as the forum channel need not be the project's channel.
"""

from __future__ import annotations

from bot.listeners.context import Turn
from bot.listeners.payloads import Press, modal_metadata
from bot.listeners.surfaces import OpenModal, Reply, button
from bot.posts import concerns as posts
from bot.services import concerns, principles
from bot.views import concerns as views


@button
def acknowledge(turn: Turn, press: Press) -> Reply:
    project, concern = concerns.concern_by_id(
        session=turn.session, team_id=turn.caller.team_id, concern_id=press.number(), lock=True
    )
    concerns.acknowledge_concern(
        session=turn.session,
        project=project,
        concern=concern,
        by=turn.caller.user_id,
        clock=turn.now,
    )
    posts.post_status_change(turn.session, project, concern)
    return views.status_recorded(concern)


@button
def withdraw(turn: Turn, press: Press) -> Reply:
    project, concern = concerns.concern_by_id(
        session=turn.session, team_id=turn.caller.team_id, concern_id=press.number(), lock=True
    )
    concerns.withdraw_concern(
        session=turn.session, concern=concern, by=turn.caller.user_id, clock=turn.now
    )
    posts.post_status_change(turn.session, project, concern)
    return views.status_recorded(concern)


@button
def open_resolution_form(turn: Turn, press: Press) -> Reply:
    """Check who is resolving before the form opens, so nobody writes a note for nothing."""
    project, concern = concerns.concern_by_id(
        session=turn.session, team_id=turn.caller.team_id, concern_id=press.number()
    )
    concerns.require_resolvable(
        session=turn.session, project=project, concern=concern, by=turn.caller.user_id
    )
    metadata = modal_metadata(turn.caller, concern=concern.id)
    return OpenModal(views.resolve_form(concern, metadata))


@button
def raise_from_reminder(turn: Turn, press: Press) -> Reply:
    """The reminder's button: the concern form, with the reminder's principle chosen."""
    return concern_form(turn, chosen=press.number())


def concern_form(
    turn: Turn, *, chosen: int | None = None, thread_ts: str | None = None
) -> OpenModal:
    """The concern form for the caller's project; given a thread, the concern is linked to it."""
    listed = principles.list_principles(session=turn.session, project=turn.project)
    extra = {"thread": thread_ts} if thread_ts else {}
    metadata = modal_metadata(turn.caller, **extra)
    return OpenModal(views.raise_form(listed, metadata, chosen=chosen))
