"""The Record check-in form's submission: stored, and acknowledged in the run's thread.

The acknowledgement never repeats what was said, and an anonymous one names no one.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from sqlmodel import Session

from bot import jobs
from bot.delivery import enqueue
from bot.listeners.interactions import caller_of_submission, submit
from bot.runtime import Runtime
from bot.services import checkins
from bot.views import checkins as views
from storage.models import Project


def register(app: App, runtime: Runtime) -> None:
    @app.view(views.CHECKIN_FORM)
    def submit_checkin(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        caller, metadata = caller_of_submission(body)

        def record(session: Session, project: Project) -> None:
            answers = views.read_checkin_form(
                view["state"]["values"], checkins.measures_of(session=session, project=project)
            )
            recorded = checkins.record_response(
                session=session,
                project=project,
                run_id=int(metadata["run"]),
                by=caller.user_id,
                answers=answers,
                clock=runtime.clock,
            )
            response = recorded.response
            enqueue(
                session,
                key=f"checkin-response:{response.id}:{response.updated_at:%Y%m%dT%H%M%S%f}",
                team_id=project.team_id,
                channel_id=project.channel_id,
                message=views.response_recorded(recorded),
                thread_key=jobs.run_key(recorded.schedule, recorded.run.run_at),
            )

        submit(runtime, ack, caller, record, fallback=views.WORKING)
