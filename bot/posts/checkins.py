"""What the channel sees of check-ins: each run's post, the answers and follow-up in its thread,
an impact check-in's announcement, and the shared evaluation report."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.delivery import enqueue
from bot.posts.scheduled import run_key
from bot.services.checkins import FollowUp, ImpactCheckin, Recorded
from bot.services.partners import shown_side, sides_shown_anonymously
from bot.views import checkins as views
from bot.views.message import Message, Upload
from storage.models import CheckinRun, Measure, Project, Schedule


def post_run(
    session: Session,
    project: Project,
    schedule: Schedule,
    fired_at: datetime,
    run: CheckinRun,
    measures: list[Measure],
) -> None:
    """One run of a check-in, with its Record check-in button."""
    enqueue(
        session,
        key=run_key(schedule, fired_at),
        team_id=project.team_id,
        channel_id=project.channel_id,
        message=views.checkin_post(run, measures),
    )


def acknowledge_response(
    session: Session, project: Project, recorded: Recorded, *, request_id: str
) -> None:
    """A line in the run's thread for each answer sent (never what it said)."""
    enqueue(
        session,
        key=f"checkin-response:{recorded.response.id}:{request_id}",
        team_id=project.team_id,
        channel_id=project.channel_id,
        message=views.response_recorded(recorded, side=_side(session, project, recorded)),
        thread_key=run_key(recorded.schedule, recorded.run.run_at),
    )


def follow_up(session: Session, due: FollowUp, *, feedback_page: str | None) -> None:
    """A day on, one reply in the run's thread naming the groups not yet heard from."""
    enqueue(
        session,
        key=f"checkin-followup:{due.run.id}",
        team_id=due.project.team_id,
        channel_id=due.project.channel_id,
        message=views.follow_up(due.missing, feedback_page=feedback_page),
        thread_key=run_key(due.schedule, due.run.run_at),
    )


def announce_impact_checkin(
    session: Session,
    project: Project,
    impact: ImpactCheckin,
    message: Message,
    *,
    thread_ts: str | None,
) -> None:
    """Told in the celebration's thread, so the team knows the check-in is coming."""
    enqueue(
        session,
        key=f"impact-checkin:stage:{impact.stage.id}:{impact.number}",
        team_id=project.team_id,
        channel_id=project.channel_id,
        message=message,
        reply_to_ts=thread_ts,
    )


def share_report(
    session: Session,
    project: Project,
    summary: Message,
    charts: list[tuple[int, Upload]],
    table: Upload | None,
    *,
    request_id: str,
) -> None:
    """The report in the channel: its summary, each measure's chart (by measure id), then
    `measures.csv` when any measure has points."""
    key = f"checkin-report:{project.id}:{request_id}"
    where = {"team_id": project.team_id, "channel_id": project.channel_id}
    enqueue(session, key=key, message=summary, **where)
    for measure_id, chart in charts:
        enqueue(session, key=f"{key}:{measure_id}", message=chart, **where)
    if table is not None:
        enqueue(session, key=f"{key}:csv", message=table, **where)


def _side(session: Session, project: Project, recorded: Recorded) -> str:
    response = recorded.response
    shown = sides_shown_anonymously(session=session, project=project)
    return shown_side(response.role, anonymous=response.anonymous, shown=shown)
