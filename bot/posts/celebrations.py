"""What the channel is told when a stage is completed, wherever the completion came from.

`/stage done` and the joint sign-off Confirm button both end here, so a stage
is announced the same way, once, under the same outbox keys.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.delivery import enqueue
from bot.services.checkins import has_measures
from bot.services.stages import AwaitingSignoff, Completion, signoffs_of
from bot.views import stages as views
from bot.views.message import Message
from storage.models import Project, SignoffMode, Stage


def completion_key(completion: Completion) -> str:
    return f"celebrate:stage:{completion.stage.id}:{completion.round}"


def signoff_key(stage: Stage, round_: int) -> str:
    """The key of the "waiting for the other side" message of one completion round."""
    return f"signoff:stage:{stage.id}:{round_}"


def announce_completion(session: Session, result: Completion | AwaitingSignoff) -> Message:
    """Enqueue the channel's message(s) for `result`; returns the reply to the person acting."""
    project = result.project
    where = {"team_id": project.team_id, "channel_id": project.channel_id}
    if isinstance(result, AwaitingSignoff):
        enqueue(
            session,
            key=signoff_key(result.stage, result.round),
            message=views.awaiting_signoff(result),
            **where,
        )
        return views.awaiting_reply(result)
    joint = project.signoff_mode is SignoffMode.JOINT
    confirmations = (
        signoffs_of(session=session, stage=result.stage, round_=result.round) if joint else []
    )
    if confirmations:
        waiting_key = signoff_key(result.stage, result.round)
        enqueue(
            session,
            key=f"{waiting_key}:signed",
            message=views.signed_off(result.stage, confirmations),
            update_key=waiting_key,
            **where,
        )
    enqueue(
        session,
        key=completion_key(result),
        message=views.celebration(
            result, propose_impact_checkin=has_measures(session=session, project=project)
        ),
        **where,
    )
    return views.completion_reply(result)


def announce_reopening(session: Session, project: Project, stage: Stage, *, by: str) -> None:
    """A short note in the channel: keyed by the stage and the completion round it undoes."""
    enqueue(
        session,
        key=f"reopen:stage:{stage.id}:{stage.completions}",
        team_id=project.team_id,
        channel_id=project.channel_id,
        message=views.reopening_note(stage, by),
    )
