"""The Confirm button of a stage waiting for joint management-union sign-off."""

from __future__ import annotations

from bot.listeners.context import Turn
from bot.listeners.payloads import Press
from bot.listeners.surfaces import Reply, button
from bot.posts.celebrations import announce_completion
from bot.services import stages


@button
def confirm_signoff(turn: Turn, press: Press) -> Reply:
    """The other side confirms; the second confirmation completes the stage."""
    stage_id, round_ = press.numbers()
    result = stages.confirm_signoff(
        session=turn.session,
        project=turn.project,
        stage_id=stage_id,
        round_=round_,
        by=turn.caller.user_id,
        clock=turn.runtime.clock,
    )
    return announce_completion(turn.session, result)
