"""Check-in buttons: Record check-in on a run's post, and the celebration's impact check-in."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from bot import jobs
from bot.delivery import enqueue
from bot.errors import ChangebotError, InvalidInput
from bot.listeners.interactions import act, caller_of_action, modal_metadata, refuse
from bot.runtime import Runtime, after_commit
from bot.services import checkins, schedules
from bot.services.projects import Caller, project_for, role_of
from bot.views import checkins as views
from bot.views.message import Message


def register(app: App, runtime: Runtime) -> None:
    @app.action(views.RECORD_CHECKIN)
    def open_checkin_form(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        caller = caller_of_action(body)
        try:
            form = _checkin_form(runtime, caller, run_id=int(action["value"]))
        except ChangebotError as error:
            refuse(respond, error)
            return
        client.views_open(trigger_id=body["trigger_id"], view=form)

    @app.action(views.SCHEDULE_IMPACT_CHECKIN)
    def schedule_impact_checkin(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        ack()
        caller = caller_of_action(body)
        celebration_ts = (body.get("container") or {}).get("message_ts")

        def schedule(session: Session) -> Message:
            return _schedule_impact_checkin(
                runtime, session, caller, stage_id=int(action["value"]), thread_ts=celebration_ts
            )

        act(runtime, respond, schedule)


def _checkin_form(runtime: Runtime, caller: Caller, *, run_id: int) -> dict[str, Any]:
    """The run's form, with a field for each measure the project tracks now."""
    with runtime.transaction() as session:
        project = project_for(
            session=session, caller=caller, timezone=runtime.settings.changebot_timezone
        )
        run, _ = checkins.get_run(session=session, project=project, run_id=run_id)
        return views.checkin_form(
            run,
            checkins.measures_of(session=session, project=project),
            role_of(session=session, project=project, user_id=caller.user_id),
            modal_metadata(caller, run=run_id),
        )


def _schedule_impact_checkin(
    runtime: Runtime, session: Session, caller: Caller, *, stage_id: int, thread_ts: str | None
) -> Message:
    """Schedule it (once), tell the celebration's thread, and answer the presser."""
    project = project_for(
        session=session, caller=caller, timezone=runtime.settings.changebot_timezone
    )
    impact = checkins.schedule_impact_checkin(
        session=session, project=project, by=caller.user_id, stage_id=stage_id, clock=runtime.clock
    )
    zone = ZoneInfo(project.timezone)
    next_run = schedules.next_run_of(impact.schedule, project, after=runtime.clock())
    upcoming = views.Upcoming(impact.schedule, next_run)
    if not impact.created:
        return views.impact_checkin_reply(impact, upcoming, zone)
    announced = enqueue(
        session,
        key=impact.announcement_key,
        team_id=project.team_id,
        channel_id=project.channel_id,
        message=views.impact_checkin_scheduled(impact, upcoming, caller.user_id, zone),
        reply_to_ts=thread_ts,
    )
    if not announced:
        # Another press of the same button got there first: roll this one back.
        raise InvalidInput(
            f"The check-in on stage {impact.stage.position}'s impact is already scheduled: "
            "`/checkin list` shows it."
        )
    after_commit(session, lambda: jobs.sync_schedule(runtime, impact.schedule, project))
    return views.impact_checkin_reply(impact, upcoming, zone)
