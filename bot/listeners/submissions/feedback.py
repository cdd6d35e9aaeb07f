"""The `/feedback` form's submission: stored, then the form turns into its acknowledgement.

Anonymous feedback is stored without a user id, and nothing here logs who sent it.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from sqlmodel import Session

from bot.listeners.commands.feedback import acknowledge
from bot.listeners.interactions import caller_of_submission, submit
from bot.runtime import Runtime
from bot.services import feedback
from bot.views import feedback as views
from bot.views import replies
from storage.models import Project


def register(app: App, runtime: Runtime) -> None:
    @app.view(views.FEEDBACK_FORM)
    def submit_feedback(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        caller, _ = caller_of_submission(body)
        form = views.read_feedback_form(view["state"]["values"])

        def record(session: Session, project: Project) -> dict[str, Any]:
            given = feedback.give_feedback(
                session=session,
                project=project,
                by=caller.user_id,
                text=form.text,
                stage_id=form.stage_id,
                rating=form.rating,
                role=form.role,
                anonymous=form.anonymous,
            )
            reply = acknowledge(session, project, given)
            return {"response_action": "update", "view": replies.finished_form("Feedback", reply)}

        submit(runtime, ack, caller, record, fallback=views.TEXT)
